/**
 * One JSON POST for the notifier adapters, turned into a SendResult: 2xx ok; 429 with the wait
 * the server asked for; 408, 5xx and network errors retryable; other 4xx permanent. The URL is
 * never part of an error (webhook URLs and bot tokens are secrets).
 */
import { parseRetryAfter } from '../../domain/alerts/delivery.js';
import type { SendResult } from '../../ports/notifier.js';

/** Most of a 4xx body we keep for the error text (it is redacted by the caller as well). */
const MAX_DETAIL = 200;

export interface PostOptions {
  /** Called to judge a 2xx body; Telegram answers `{"ok": false}` with 200 in some cases. */
  readonly acceptBody?: (body: unknown) => boolean;
  /** Used to strip the secret from any error text. */
  readonly redact: (text: string) => string;
  readonly now?: () => number;
}

async function readBody(response: Response): Promise<{ text: string; json: unknown }> {
  const text = await response.text().catch(() => '');
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return { text, json: undefined };
  }
}

export async function postJson(url: string, payload: unknown, signal: AbortSignal, options: PostOptions): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const name = error instanceof Error ? (error.name === 'TimeoutError' || error.name === 'AbortError' ? 'timed out' : error.message) : 'failed';
    return { ok: false, retryable: true, error: options.redact(`request ${name}${cause}`) };
  }
  const { text, json } = await readBody(response);
  const status = response.status;
  if (status >= 200 && status < 300) {
    if (options.acceptBody === undefined || options.acceptBody(json)) return { ok: true };
    return { ok: false, retryable: false, status, error: options.redact(`rejected: ${text.slice(0, MAX_DETAIL)}`) };
  }
  const now = options.now?.() ?? Date.now();
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(json, response.headers.get('retry-after'), now);
    return { ok: false, retryable: true, status, ...(retryAfterMs !== undefined && { retryAfterMs }), error: 'HTTP 429 (rate limited)' };
  }
  const retryable = status === 408 || status >= 500;
  const detail = text.slice(0, MAX_DETAIL).replace(/\s+/g, ' ').trim();
  return { ok: false, retryable, status, error: options.redact(`HTTP ${status}${detail === '' ? '' : `: ${detail}`}`) };
}
