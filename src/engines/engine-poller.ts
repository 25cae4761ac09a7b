/**
 * Polls every engine's status endpoint (DESIGN.md §3 "engine poll": every 30 s, timeout 5 s,
 * concurrent with a bound, jittered).
 *
 * - Rounds never overlap: the next round is armed when the current one has finished, at
 *   `roundStart + interval ± jitter` (at once when the round overran; the overrun is counted).
 * - At most `maxInFlight` polls run at once; a slot is freed as soon as its poll settles or its
 *   own timeout fires, so a hung engine holds one slot for at most `timeoutMs` and never delays
 *   another engine's poll. The bound should exceed the number of engines expected to hang:
 *   each holds a slot for the whole timeout.
 * - The timeout is the poller's (through the Clock) and aborts the client's signal; a client that
 *   ignores the abort is left to settle on its own and its late answer is dropped.
 * - An engine added while running is polled at once (outside the round, at most once at a time).
 * - Engines whose last poll timed out are polled first in the next round: they take the whole
 *   timeout, so starting them late would stretch the round to (late start + timeout).
 * - Starts are paced: at most `maxStartsPerTick` per event-loop turn in total, including the
 *   polls started as others settle, so a burst of answers never turns into a burst of new
 *   connections that holds the event loop (measured with 10,000 engines in bench/engine-polling.ts).
 */
import type { EngineClient, EngineClientFactory, PollAnswer } from '../domain/engines/engine-client.js';
import type { PollOutcome } from '../domain/engines/engine-health.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { errorMessage } from '../domain/error-message.js';

/** The slice of the registry the poller needs (EngineRegistry satisfies it). */
export interface PollTarget {
  ids(): string[];
  spec(id: string): EngineSpec | undefined;
  recordPoll(id: string, outcome: PollOutcome): void;
  onAdded(listener: (id: string) => void): () => void;
}

export interface EnginePollerOptions {
  readonly clock: Clock;
  readonly target: PollTarget;
  readonly clientFor: EngineClientFactory;
  /** @default 30 s */
  readonly intervalMs?: number;
  /** @default 5 s */
  readonly timeoutMs?: number;
  /** @default 1000 */
  readonly maxInFlight?: number;
  /** Polls started in one event-loop turn before yielding (through the clock, 0 ms). @default 100 */
  readonly maxStartsPerTick?: number;
  /** Each interval is stretched or shortened by up to this fraction. @default 0.1 */
  readonly jitterRatio?: number;
  /** [0, 1); @default Math.random */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface RoundStats {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly engines: number;
  readonly ok: number;
  readonly failed: number;
  readonly unparsable: number;
  readonly timedOut: number;
  /** The most polls in flight at once during the round. */
  readonly peakInFlight: number;
}

export const DEFAULT_ENGINE_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_ENGINE_POLL_TIMEOUT_MS = 5_000;
export const DEFAULT_ENGINE_MAX_IN_FLIGHT = 1_000;

interface Tally {
  ok: number;
  failed: number;
  unparsable: number;
  timedOut: number;
  peak: number;
}

export class EnginePoller {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly maxStartsPerTick: number;
  private readonly jitterRatio: number;
  private readonly random: () => number;
  private readonly clients = new Map<string, { spec: EngineSpec; client: EngineClient }>();
  private readonly inFlight = new Map<string, { controller: AbortController; drop: () => void }>();
  private timer: TimerHandle | undefined;
  private running = false;
  private stopped = false;
  private currentRound: Promise<RoundStats> | undefined;
  private unsubscribe: (() => void) | undefined;
  private rounds = 0;
  private overruns = 0;
  private last: RoundStats | undefined;
  /** Re-runs the current round's pump (stop() uses it to end a round waiting on a continuation). */
  private wake: (() => void) | undefined;
  private readonly roundListeners = new Set<(stats: RoundStats) => void>();
  /** Engines whose last poll timed out: polled first in the next round. */
  private readonly suspects = new Set<string>();

  constructor(private readonly options: EnginePollerOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_ENGINE_POLL_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ENGINE_POLL_TIMEOUT_MS;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_ENGINE_MAX_IN_FLIGHT);
    this.maxStartsPerTick = Math.max(1, options.maxStartsPerTick ?? 100);
    this.jitterRatio = Math.min(0.5, Math.max(0, options.jitterRatio ?? 0.1));
    this.random = options.random ?? Math.random;
  }

  /** Starts polling: the first round at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.unsubscribe = this.options.target.onAdded((id) => {
      if (this.running) void this.pollOne(id);
    });
    this.arm(0);
  }

  /** Stops: no new polls, in-flight polls aborted; resolves when the current round has ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    // Hung clients may ignore the abort: their slots are dropped now, not at their timeout.
    for (const poll of [...this.inFlight.values()]) {
      poll.controller.abort();
      poll.drop();
    }
    this.wake?.();
    await this.currentRound;
  }

  /** Runs one round now (unless one is running: then that round's result). */
  runRound(): Promise<RoundStats> {
    this.currentRound ??= this.round().finally(() => {
      this.currentRound = undefined;
    });
    return this.currentRound;
  }

  get stats(): { rounds: number; overruns: number; inFlight: number; lastRound?: RoundStats } {
    return { rounds: this.rounds, overruns: this.overruns, inFlight: this.inFlight.size, ...(this.last !== undefined && { lastRound: this.last }) };
  }

  onRound(listener: (stats: RoundStats) => void): () => void {
    this.roundListeners.add(listener);
    return () => this.roundListeners.delete(listener);
  }

  private arm(delayMs: number): void {
    this.timer = this.options.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      void this.cycle();
    });
  }

  private async cycle(): Promise<void> {
    if (!this.running) return;
    const startedAt = this.options.clock.now();
    await this.runRound();
    if (!this.running) return;
    const jitter = (this.random() * 2 - 1) * this.jitterRatio * this.intervalMs;
    const due = startedAt + this.intervalMs + jitter;
    const now = this.options.clock.now();
    if (due <= now) this.overruns += 1;
    this.arm(Math.max(0, due - now));
  }

  private round(): Promise<RoundStats> {
    const { clock } = this.options;
    const all = this.options.target.ids();
    for (const id of this.clients.keys()) if (this.options.target.spec(id) === undefined) this.clients.delete(id);
    for (const id of this.suspects) if (this.options.target.spec(id) === undefined) this.suspects.delete(id);
    const ids = this.suspects.size === 0 ? all : [...all.filter((id) => this.suspects.has(id)), ...all.filter((id) => !this.suspects.has(id))];
    const startedAt = clock.now();
    const tally: Tally = { ok: 0, failed: 0, unparsable: 0, timedOut: 0, peak: 0 };
    return new Promise<RoundStats>((resolve) => {
      let next = 0;
      let active = 0;
      const finish = (): void => {
        const stats: RoundStats = {
          startedAt,
          durationMs: clock.now() - startedAt,
          engines: ids.length,
          ok: tally.ok,
          failed: tally.failed,
          unparsable: tally.unparsable,
          timedOut: tally.timedOut,
          peakInFlight: tally.peak,
        };
        this.rounds += 1;
        this.last = stats;
        this.wake = undefined;
        for (const listener of this.roundListeners) {
          try {
            listener(stats);
          } catch (error) {
            this.options.logger?.error({ err: error }, 'an engine round listener threw');
          }
        }
        resolve(stats);
      };
      let continuation = false;
      let finished = false;
      // Starts in this event-loop turn, across every pump call (a settled poll pumps too).
      let startedThisTurn = 0;
      const pump = (): void => {
        while (active < this.maxInFlight && next < ids.length && !this.stopped) {
          // Start at most `maxStartsPerTick` polls per turn, then yield, so neither a round start
          // with thousands of engines nor a burst of answers blocks the event loop for long.
          if (startedThisTurn >= this.maxStartsPerTick) {
            if (!continuation) {
              continuation = true;
              clock.setTimer(0, () => {
                continuation = false;
                startedThisTurn = 0;
                pump();
              });
            }
            return;
          }
          const id = ids[next];
          next += 1;
          if (id === undefined) continue;
          startedThisTurn += 1;
          active += 1;
          tally.peak = Math.max(tally.peak, active);
          void this.pollOne(id, tally).then(() => {
            active -= 1;
            pump();
          });
        }
        if (active === 0 && (!continuation || this.stopped) && !finished) {
          finished = true;
          finish();
        }
      };
      this.wake = pump;
      pump();
    });
  }

  /** One poll with its own timeout; never rejects. Skipped when the engine is gone or already being polled. */
  private pollOne(id: string, tally?: Tally): Promise<void> {
    const spec = this.options.target.spec(id);
    if (spec === undefined || this.inFlight.has(id)) return Promise.resolve();
    const { clock } = this.options;
    const started = clock.now();
    const controller = new AbortController();
    return new Promise<void>((resolve) => {
      let settled = false;
      const release = (): boolean => {
        if (settled) return false;
        settled = true;
        timer.cancel();
        if (this.inFlight.get(id)?.controller === controller) this.inFlight.delete(id);
        return true;
      };
      // Dropped by stop(): not the engine's fault, nothing is recorded.
      const drop = (): void => {
        if (release()) resolve();
      };
      this.inFlight.set(id, { controller, drop });
      const settle = (answer: PollAnswer, timedOut: boolean): void => {
        if (!release()) return;
        if (this.stopped && !timedOut) {
          resolve();
          return;
        }
        const at = clock.now();
        if (tally !== undefined) {
          tally[answer.kind] += 1;
          if (timedOut) tally.timedOut += 1;
        }
        if (timedOut) this.suspects.add(id);
        else this.suspects.delete(id);
        this.options.target.recordPoll(id, { kind: answer.kind, message: answer.message, at, durationMs: Math.max(0, at - started) });
        resolve();
      };
      const timer: TimerHandle = clock.setTimer(this.timeoutMs, () => {
        controller.abort();
        settle({ kind: 'failed', message: `timed out after ${this.timeoutMs / 1_000} s` }, true);
      });
      let client: EngineClient;
      try {
        client = this.clientOf(spec);
      } catch (error) {
        settle({ kind: 'failed', message: `cannot poll: ${errorMessage(error)}` }, false);
        return;
      }
      let pending: Promise<PollAnswer>;
      try {
        pending = client.poll(controller.signal);
      } catch (error) {
        pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      pending.then(
        (answer) => settle(answer, false),
        (error: unknown) => settle({ kind: 'failed', message: `poll failed: ${errorMessage(error)}` }, false),
      );
    });
  }

  private clientOf(spec: EngineSpec): EngineClient {
    const cached = this.clients.get(spec.id);
    if (cached !== undefined && cached.spec === spec) return cached.client;
    const client = this.options.clientFor(spec);
    this.clients.set(spec.id, { spec, client });
    return client;
  }
}
