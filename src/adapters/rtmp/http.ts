/**
 * The one HTTP helper of the RTMP server adapters: global fetch, a timeout per request, the
 * caller's abort signal, a bounded body, and failures turned into RtmpServerError with a
 * redacted message. `what` describes the request for messages ("GET /stat", "drop publisher
 * of app live") — callers never put a stream key in it.
 */
import type { Redactor } from '../../domain/redact.js';
import { RtmpServerError } from './errors.js';

export interface HttpRequest {
  readonly serverId: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  /** For messages; must not contain a stream key. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly redact: Redactor;
  /** Larger bodies are an error. Default 8 MiB. */
  readonly maxBytes?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/** Sends the request; resolves with any status (the caller decides what a 404 means). */
export async function httpRequest(request: HttpRequest): Promise<HttpAnswer> {
  const { serverId, redact } = request;
  const fail = (code: ConstructorParameters<typeof RtmpServerError>[0], message: string, cause?: unknown): RtmpServerError =>
    new RtmpServerError(code, serverId, redact(`${request.what}: ${message}`), { cause });

  if (isAborted(request.signal)) throw fail('RTMP_SERVER_ABORTED', 'aborted');
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const onAbort = (): void => controller.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(request.url, { method: request.method, signal: controller.signal, redirect: 'error' });
    const text = await readBounded(response, request.maxBytes ?? DEFAULT_MAX_BYTES);
    if (text === undefined) {
      throw fail('RTMP_SERVER_BAD_RESPONSE', `the answer is larger than ${request.maxBytes ?? DEFAULT_MAX_BYTES} bytes`);
    }
    return { status: response.status, text };
  } catch (error) {
    if (error instanceof RtmpServerError) throw error;
    if (timedOut) throw fail('RTMP_SERVER_TIMEOUT', `no answer within ${formatSeconds(request.timeoutMs)}`, error);
    if (isAborted(request.signal)) throw fail('RTMP_SERVER_ABORTED', 'aborted', error);
    throw fail('RTMP_SERVER_UNREACHABLE', describeFetchError(error), error);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/** Throws RTMP_SERVER_HTTP_STATUS unless the status is 2xx. */
export function expectOk(answer: HttpAnswer, serverId: string, what: string, redact: Redactor): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const body = answer.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new RtmpServerError(
    'RTMP_SERVER_HTTP_STATUS',
    serverId,
    redact(`${what}: HTTP ${answer.status}${body === '' ? '' : ` (${body})`}`),
    { status: answer.status },
  );
}

/** `http://host/base/` + `/api/x` without doubled or missing slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici: TypeError('fetch failed') with the socket error as its cause.
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return error.message;
}

/**
 * A redactor that also masks one known stream key wherever it appears (an error page that
 * echoes the request, say). Keys shorter than 4 characters are left alone: masking them would
 * mangle ordinary words, and the generic redactor already masks URL key segments.
 */
export function maskingKey(redact: Redactor, key: string): Redactor {
  if (key.length < 4) return redact;
  return (text) => redact(text).split(key).join('***');
}
