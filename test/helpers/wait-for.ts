/**
 * Polling with a deadline for integration tests (never a bare sleep).
 */
export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** What is being waited for, e.g. "nginx to list live/test as publishing". */
  description: string;
  /** Stop early: rejects with the signal's reason (or an abort error) once aborted. */
  signal?: AbortSignal;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return typeof error;
  }
}

export class WaitForTimeoutError extends Error {
  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly lastError: unknown,
  ) {
    const detail = lastError === undefined ? '' : `; last error: ${describeError(lastError)}`;
    super(`timed out after ${timeoutMs} ms waiting for ${description}${detail}`);
    this.name = 'WaitForTimeoutError';
  }
}

/**
 * Calls `predicate` until it returns a truthy value (which is returned), or throws
 * WaitForTimeoutError naming `description`. A predicate that throws counts as "not yet"; its
 * last error is included in the timeout message.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') {
        return value;
      }
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitForTimeoutError(options.description, timeoutMs, lastError);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}
