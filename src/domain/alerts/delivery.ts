/**
 * Delivery arithmetic for the outbox, pure: exponential backoff with a give-up age, and a token
 * bucket per destination (Discord allows about 5 requests per 2 s per webhook).
 */

export interface BackoffOptions {
  /** Delay after the first failed attempt. @default 5000 */
  readonly initialMs: number;
  /** @default 2 */
  readonly multiplier: number;
  /** @default 600000 (10 min) */
  readonly maxMs: number;
  /** A notification older than this is given up (marked failed). @default 86400000 (24 h) */
  readonly giveUpAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 5_000, multiplier: 2, maxMs: 10 * 60_000, giveUpAfterMs: 24 * 60 * 60_000 };

/**
 * When to try again after `attempts` failed attempts (1 = the first failed), or undefined when
 * that time would be past the give-up age. A server's own `retryAfterMs` wins when longer.
 */
export function nextAttemptAt(
  options: BackoffOptions,
  attempts: number,
  createdAt: number,
  now: number,
  retryAfterMs?: number,
): number | undefined {
  const exponent = Math.max(0, attempts - 1);
  const backoff = Math.min(options.maxMs, options.initialMs * options.multiplier ** exponent);
  const delay = retryAfterMs === undefined ? backoff : Math.max(0, retryAfterMs);
  const at = now + delay;
  return at - createdAt > options.giveUpAfterMs ? undefined : at;
}

export interface RateLimit {
  /** Requests allowed in a burst. */
  readonly capacity: number;
  /** Time to earn back the whole burst. */
  readonly perMs: number;
}

export interface TokenBucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

export function fullBucket(limit: RateLimit, now: number): TokenBucket {
  return { tokens: limit.capacity, updatedAt: now };
}

/** Takes one token if there is one; else says how long until there is. */
export function takeToken(
  limit: RateLimit,
  bucket: TokenBucket,
  now: number,
): { readonly bucket: TokenBucket; readonly ok: boolean; readonly waitMs: number } {
  const rate = limit.capacity / Math.max(1, limit.perMs);
  const tokens = Math.min(limit.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * rate);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, updatedAt: now }, ok: true, waitMs: 0 };
  return { bucket: { tokens, updatedAt: now }, ok: false, waitMs: Math.ceil((1 - tokens) / rate) };
}

/** Empties the bucket so its next token comes at `until` (a 429 says the destination's limit is spent). */
export function drainBucket(until: number, limit: RateLimit, now: number): TokenBucket {
  const rate = limit.capacity / Math.max(1, limit.perMs);
  return { tokens: 1 - Math.max(0, until - now) * rate, updatedAt: now };
}

/**
 * The wait a server asks for: Discord's JSON `retry_after` (seconds, may be fractional),
 * Telegram's `parameters.retry_after`, or a `Retry-After` header (seconds or an HTTP date).
 */
export function parseRetryAfter(body: unknown, header: string | null, now: number): number | undefined {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const direct = record.retry_after;
    if (typeof direct === 'number' && Number.isFinite(direct) && direct >= 0) return Math.ceil(direct * 1_000);
    const params = record.parameters;
    if (typeof params === 'object' && params !== null) {
      const nested = (params as Record<string, unknown>).retry_after;
      if (typeof nested === 'number' && Number.isFinite(nested) && nested >= 0) return Math.ceil(nested * 1_000);
    }
  }
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1_000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
