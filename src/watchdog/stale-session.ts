/**
 * Before republishing: if the RTMP server still holds our previous session under the same
 * stream name (ffmpeg was killed but the server has not noticed yet, so a new publish would be
 * refused with "Already publishing"), drop it and wait until the name is free — or only wait
 * it out (`mode: 'wait'`), for servers or setups where dropping is not wanted.
 *
 * The wait is bounded: it ends at `timeoutMs` with a StaleSessionError. Time goes through the
 * injected Clock only, so unit tests drive it with a fake clock.
 */
import { StreamwardenError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { RtmpServer, RtmpTarget } from '../ports/rtmp-server.js';

export interface StaleSessionOptions {
  readonly clock: Clock;
  /** Give up after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause between looks at the server. Default 250 ms. */
  readonly pollMs?: number;
  /** A session still listed this long after its drop is dropped again. Default 2 s. */
  readonly redropAfterMs?: number;
  /** `drop` (default): drop the session, then wait until it is gone. `wait`: only wait. */
  readonly mode?: 'drop' | 'wait';
  readonly signal?: AbortSignal;
}

export interface StaleSessionOutcome {
  /** A session held the name when we first looked. */
  readonly found: boolean;
  /** Drop requests sent. */
  readonly drops: number;
  /** From the first look until the name was free. */
  readonly waitedMs: number;
}

/** The name was still held at the deadline. Never names the stream key. */
export class StaleSessionError extends StreamwardenError {
  constructor(
    readonly serverId: string,
    readonly app: string,
    readonly timeoutMs: number,
    readonly drops: number,
    options?: { cause?: unknown },
  ) {
    const how = drops > 0 ? `after ${drops} drop request(s)` : 'without dropping it';
    super(
      'STALE_SESSION',
      `RTMP server "${serverId}" still holds a session for our stream in app "${app}" ${how}; gave up after ${timeoutMs / 1000} s`,
      options,
    );
  }
}

const ALREADY_PUBLISHING = /already publishing|NetStream\.Publish\.BadName|stream (?:is )?already (?:exists|publishing)|Already being published/i;

/** True for the RTMP server's "someone already publishes this name" refusal, as ffmpeg logs it. */
export function isAlreadyPublishingError(text: string): boolean {
  return ALREADY_PUBLISHING.test(text);
}

export async function clearStaleSession(
  server: RtmpServer,
  target: RtmpTarget,
  options: StaleSessionOptions,
): Promise<StaleSessionOutcome> {
  const { clock, signal } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pollMs = options.pollMs ?? 250;
  const redropAfterMs = options.redropAfterMs ?? 2_000;
  const mode = options.mode ?? 'drop';
  const started = clock.now();
  const deadline = started + timeoutMs;
  const lastDrop = new Map<string, number>();
  let drops = 0;
  let found: boolean | undefined;
  let lastError: unknown;

  for (;;) {
    signal?.throwIfAborted();
    try {
      const session = await server.findPublisher(target.app, target.name, signal === undefined ? {} : { signal });
      found ??= session !== undefined;
      if (session === undefined) return { found, drops, waitedMs: clock.now() - started };
      lastError = undefined;
      const droppedAt = lastDrop.get(session.clientId);
      if (mode === 'drop' && (droppedAt === undefined || clock.now() - droppedAt >= redropAfterMs)) {
        lastDrop.set(session.clientId, clock.now());
        drops += 1;
        await server.dropPublisher(session, signal === undefined ? {} : { signal });
      }
    } catch (error) {
      signal?.throwIfAborted();
      lastError = error; // the server may be restarting: keep trying until the deadline
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new StaleSessionError(server.id, target.app, timeoutMs, drops, lastError === undefined ? undefined : { cause: lastError });
    }
    await sleep(clock, Math.min(pollMs, remaining), signal);
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
