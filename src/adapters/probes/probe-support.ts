/**
 * Shared pieces of the probes: the hard deadline (own timeout + the caller's signal), result
 * construction, and the "never reject" guard.
 */
import type { Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { ProbeResult } from '../../ports/health-probe.js';
import type { RunProcessResult } from './run-process.js';
import { errorMessage } from '../../domain/error-message.js';

export interface ProbeCommonOptions {
  /** The hard timeout of one run. */
  readonly timeoutMs: number;
  /** Applied to every message and detail string. */
  readonly redact?: Redactor;
  /** For durations and sustained-limit tracking. */
  readonly clock: Clock;
}

/** `10 s`, `1.5 s`, `0.25 s`: how timeouts and durations read in messages. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  const digits = seconds >= 10 ? 1 : 2;
  return `${Number(seconds.toFixed(digits))} s`;
}

export function timedOutMessage(timeoutMs: number): string {
  return `timed out after ${formatSeconds(timeoutMs)}`;
}

/**
 * An abort signal that fires at `timeoutMs` or when `parent` aborts, whichever comes first,
 * and can tell which. `dispose` clears the timer and the listener (always call it).
 */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expired = false;
  private readonly onParentAbort = (): void => this.controller.abort(this.parent.reason);

  constructor(
    private readonly parent: AbortSignal,
    readonly timeoutMs: number,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(timedOutMessage(timeoutMs)));
    }, timeoutMs);
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** True when the probe's own timeout fired (as opposed to the caller aborting). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Why the signal fired, for a result message. */
  reason(): string {
    return this.expired ? timedOutMessage(this.timeoutMs) : 'aborted';
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParentAbort);
  }
}

/** The last non-empty line of `text`, cut to `max` characters. */
export function lastLine(text: string, max = 300): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i];
    if (line !== undefined && line !== '') return line.length > max ? `${line.slice(0, max)}…` : line;
  }
  return '';
}

/** Redacts every string inside details (one level of arrays / objects deep is enough here). */
export function redactDetails(details: Record<string, unknown>, redact: Redactor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    out[key] = redactValue(value, redact, 3);
  }
  return out;
}

function redactValue(value: unknown, redact: Redactor, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth <= 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((entry: unknown) => redactValue(entry, redact, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) out[key] = redactValue(entry, redact, depth - 1);
  return out;
}

/**
 * Runs a probe body and turns it into a ProbeResult: durations measured, text redacted, and a
 * throw becomes `ok: false` — `run` never rejects.
 */
/** What a probe body reports; guardedRun adds the duration and redacts it. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export async function guardedRun(
  clock: Clock,
  redact: Redactor,
  body: () => Promise<ProbeOutcome>,
): Promise<ProbeResult> {
  const started = clock.now();
  try {
    const outcome = await body();
    return {
      ok: outcome.ok,
      message: redact(outcome.message),
      durationMs: Math.max(0, clock.now() - started),
      ...(outcome.details !== undefined && { details: redactDetails(outcome.details, redact) }),
    };
  } catch (error) {
    const message = errorMessage(error);
    return { ok: false, message: redact(`probe error: ${message}`), durationMs: Math.max(0, clock.now() - started) };
  }
}

/**
 * The failure result of a probe command that did not run to a normal exit (could not start,
 * timed out, aborted) or exited non-zero; undefined when it exited 0 and its output is to be read.
 */
export function commandFailure(
  tool: string,
  path: string,
  result: RunProcessResult,
  context: { readonly timeoutMs: number; readonly deadline: Deadline; readonly lastError: () => string },
): ProbeOutcome | undefined {
  const details = { pid: result.pid };
  switch (result.outcome) {
    case 'spawn-failed':
      return { ok: false, message: `${tool} could not be started (${result.spawnError ?? 'error'}): ${path}` };
    case 'timed-out':
      return { ok: false, message: timedOutMessage(context.timeoutMs), details };
    case 'aborted':
      return { ok: false, message: context.deadline.reason(), details };
    case 'exited':
      break;
  }
  if (result.code === 0) return undefined;
  const why = context.lastError() || (result.signal === null ? 'no message' : `killed by ${result.signal}`);
  return { ok: false, message: `${tool} failed (exit ${result.code ?? result.signal ?? '?'}): ${why}`, details };
}
