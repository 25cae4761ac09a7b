import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, drainBucket, fullBucket, nextAttemptAt, parseRetryAfter, takeToken } from './delivery.js';

const T0 = 1_700_000_000_000;

describe('backoff', () => {
  it.each([
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [10, 600_000],
  ])('after %i failed attempts waits %i ms', (attempts, delay) => {
    expect(nextAttemptAt(DEFAULT_BACKOFF, attempts, T0, T0)).toBe(T0 + delay);
  });

  it('honours the server retry-after, and gives up after 24 h', () => {
    expect(nextAttemptAt(DEFAULT_BACKOFF, 1, T0, T0, 1_500)).toBe(T0 + 1_500);
    expect(nextAttemptAt(DEFAULT_BACKOFF, 5, T0, T0 + 24 * 3_600_000 - 1_000)).toBeUndefined();
  });
});

describe('token bucket', () => {
  const discord = { capacity: 5, perMs: 2_000 };
  it('allows a burst of 5, then one every 400 ms', () => {
    let bucket = fullBucket(discord, T0);
    for (let i = 0; i < 5; i++) {
      const taken = takeToken(discord, bucket, T0);
      expect(taken.ok).toBe(true);
      bucket = taken.bucket;
    }
    const refused = takeToken(discord, bucket, T0);
    expect(refused).toMatchObject({ ok: false, waitMs: 400 });
    expect(takeToken(discord, refused.bucket, T0 + 400).ok).toBe(true);
  });

  it('a drained bucket stays empty until the retry time', () => {
    const bucket = drainBucket(T0 + 3_000, discord, T0);
    expect(takeToken(discord, bucket, T0 + 2_999).ok).toBe(false);
    expect(takeToken(discord, bucket, T0 + 3_000).ok).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [{ retry_after: 0.25, global: false }, null, 250],
    [{ ok: false, parameters: { retry_after: 3 } }, null, 3_000],
    [undefined, '2', 2_000],
    [undefined, new Date(T0 + 5_000).toUTCString(), 5_000],
    [undefined, 'soon', undefined],
    [undefined, null, undefined],
  ])('%j / %s → %s', (body, header, expected) => {
    expect(parseRetryAfter(body, header, T0)).toBe(expected);
  });
});
