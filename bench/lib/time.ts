/** Clocks and bounded waiting for the benchmarks. */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Monotonic milliseconds. */
export function now(): number {
  return performance.now();
}

export async function sleep(ms: number): Promise<void> {
  if (ms > 0) await delay(ms);
}

export class BenchTimeoutError extends Error {
  constructor(description: string, timeoutMs: number, lastError?: unknown) {
    const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
    super(`timed out after ${timeoutMs} ms waiting for ${description}${detail}`);
    this.name = 'BenchTimeoutError';
  }
}

/**
 * Calls `probe` every `intervalMs` (measured start to start, so a slow probe does not stretch the
 * period) until it returns a value other than undefined, which is returned with the monotonic
 * time at which the probe that found it completed. Throws BenchTimeoutError after `timeoutMs`.
 * A probe that throws counts as "not yet".
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs: number; description: string },
): Promise<{ value: T; at: number }> {
  const deadline = now() + options.timeoutMs;
  let lastError: unknown;
  // Bounded by the deadline; the attempt cap only guards against a clock that does not move.
  for (let attempt = 0; attempt < 10_000_000; attempt += 1) {
    const started = now();
    try {
      const value = await probe();
      if (value !== undefined) return { value, at: now() };
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const after = now();
    if (after >= deadline) throw new BenchTimeoutError(options.description, options.timeoutMs, lastError);
    await sleep(Math.min(deadline - after, Math.max(0, started + options.intervalMs - after)));
  }
  throw new BenchTimeoutError(options.description, options.timeoutMs, lastError);
}

/**
 * `promise`'s value, or 'timeout' after `ms`. The timer is cleared either way, so a settled race
 * never keeps the process alive.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
