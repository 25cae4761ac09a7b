/**
 * The `http` check: GET a URL with a hard timeout, expect a status, and evaluate Gatus-like
 * conditions on the status, the response time and the JSON body (http-conditions.ts).
 * The body is read up to `maxBodyBytes` (default 1 MiB); the response time runs until the body
 * has been read. Conditions are parsed when the probe is built, so a bad one is a
 * configuration error (ConditionSyntaxError), not a failing check.
 */
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../../ports/health-probe.js';
import { evaluateConditions, parseConditions, type Condition } from '../../domain/http-conditions.js';
import { Deadline, guardedRun, type ProbeCommonOptions } from './probe-support.js';

export interface HttpProbeOptions extends ProbeCommonOptions {
  readonly url: string;
  /** Expected status code. Default 200. */
  readonly status?: number;
  /** Gatus-like conditions, e.g. `body.status == "live"`, `responseTime < 2s`. */
  readonly conditions?: readonly string[];
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

export class HttpProbe implements HealthProbe {
  readonly kind = 'http';
  private readonly conditions: readonly Condition[];
  private readonly redact: Redactor;
  private readonly clock: Clock;

  /** Throws ConditionSyntaxError for a bad condition. */
  constructor(private readonly options: HttpProbeOptions) {
    this.conditions = parseConditions(options.conditions ?? []);
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    return guardedRun(this.clock, this.redact, async () => {
      const deadline = new Deadline(signal, this.options.timeoutMs);
      const started = this.clock.now();
      try {
        let response: Response;
        try {
          response = await fetch(this.options.url, {
            signal: deadline.signal,
            ...(this.options.headers !== undefined && { headers: { ...this.options.headers } }),
          });
        } catch (error) {
          if (deadline.signal.aborted) return { ok: false, message: deadline.reason() };
          return { ok: false, message: `GET ${this.options.url} failed: ${describeFetchError(error)}` };
        }
        let body: { text: string; truncated: boolean };
        try {
          body = await readBody(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
        } catch (error) {
          if (deadline.signal.aborted) return { ok: false, message: deadline.reason() };
          return { ok: false, message: `GET ${this.options.url}: reading the body failed: ${describeFetchError(error)}` };
        }
        const responseTimeMs = Math.max(0, this.clock.now() - started);
        const expected = this.options.status ?? 200;
        const problems: string[] = [];
        if (response.status !== expected) problems.push(`HTTP ${response.status} (expected ${expected})`);
        const outcomes = evaluateConditions(this.conditions, {
          status: response.status,
          responseTimeMs,
          bodyText: body.text,
          bodyTruncated: body.truncated,
        });
        for (const outcome of outcomes) if (!outcome.ok) problems.push(outcome.message);
        const details = {
          status: response.status,
          responseTimeMs,
          conditions: this.conditions.map((c, i) => ({ condition: c.source, ok: outcomes[i]?.ok ?? false })),
        };
        if (problems.length > 0) return { ok: false, message: problems.join('; '), details };
        return { ok: true, message: `HTTP ${response.status} in ${Math.round(responseTimeMs)}ms`, details };
      } finally {
        deadline.dispose();
      }
    });
  }
}

async function readBody(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
    const room = maxBytes - total;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
    total += value.byteLength;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return error.message;
}
