/**
 * Delivers the notification outbox. Every notice is in the store before it is sent; this worker
 * sends them, one lane per notifier so a failing or slow destination never delays another:
 *
 * - Within a lane, strict FIFO by outbox id: the head is retried (exponential backoff, or the
 *   wait a 429 asked for) before anything behind it, so notices about one stream arrive in order.
 * - A token bucket per lane keeps us under the destination's rate limit.
 * - Given up after `giveUpAfterMs` (24 h) or on a permanent rejection (4xx): marked `failed`.
 * - Outcomes go to `onOutcome` (metrics: sent, failed, rate-limited, dropped).
 *
 * The worker keeps no state a restart needs: on `start` it reads what is pending.
 */
import { DEFAULT_BACKOFF, drainBucket, fullBucket, nextAttemptAt, takeToken, type BackoffOptions, type TokenBucket } from '../domain/alerts/delivery.js';
import { parseMessage } from '../domain/alerts/message.js';
import type { Redactor } from '../domain/redact.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier, SendResult } from '../ports/notifier.js';
import type { OutboxNotification, OutboxRepository } from '../ports/store.js';
import { errorMessage } from '../domain/error-message.js';

export type DeliveryResult = 'sent' | 'failed' | 'rate-limited' | 'dropped';

export interface OutboxWorkerOptions {
  readonly store: OutboxRepository;
  readonly notifiers: readonly Notifier[];
  readonly clock: Clock;
  readonly redact: Redactor;
  readonly log?: Logger;
  /** `metrics.countNotification`. */
  readonly onOutcome?: (notifier: string, result: DeliveryResult) => void;
  readonly backoff?: Partial<BackoffOptions>;
  /** Each request's timeout. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** How often the store is re-read in case someone else enqueued. @default 5000 */
  readonly pollIntervalMs?: number;
  /**
   * Pending rows read per pass (all notifiers together; a lane takes its oldest). Alerts are
   * transitions and grouped, so far fewer are ever pending; the cap only bounds memory. @default 10000
   */
  readonly batch?: number;
}

interface Lane {
  readonly notifier: Notifier;
  bucket: TokenBucket;
  running: boolean;
  /** Another pass was asked for while one ran. */
  again: boolean;
  timer?: TimerHandle;
  timerAt?: number;
  current?: Promise<void>;
}

export class OutboxWorker {
  private readonly lanes = new Map<string, Lane>();
  private readonly backoff: BackoffOptions;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly batch: number;
  private poller?: TimerHandle;
  private stopped = true;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.pollMs = options.pollIntervalMs ?? 5_000;
    this.batch = options.batch ?? 10_000;
    const now = options.clock.now();
    for (const notifier of options.notifiers) {
      this.lanes.set(notifier.id, { notifier, bucket: fullBucket(notifier.rateLimit, now), running: false, again: false });
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poll();
  }

  /** Something was enqueued: every lane looks at the store now. */
  kick(): void {
    if (this.stopped) return;
    for (const lane of this.lanes.values()) this.run(lane);
  }

  /** Stops timers and waits for sends in flight (each bounded by the request timeout). */
  async close(): Promise<void> {
    this.stopped = true;
    this.poller?.cancel();
    for (const lane of this.lanes.values()) lane.timer?.cancel();
    await Promise.all([...this.lanes.values()].map((lane) => lane.current ?? Promise.resolve()));
  }

  private poll(): void {
    if (this.stopped) return;
    this.kick();
    void this.dropOrphans();
    this.poller = this.options.clock.setTimer(this.pollMs, () => this.poll());
  }

  private run(lane: Lane): void {
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = true;
    lane.current = this.drain(lane)
      .catch((error: unknown) => {
        // The store is unavailable (or a bug): the poller tries again later.
        this.options.log?.error({ notifier: lane.notifier.id, err: this.message(error) }, 'outbox pass failed');
      })
      .finally(() => {
        lane.running = false;
        if (lane.again && !this.stopped) {
          lane.again = false;
          this.run(lane);
        }
      });
  }

  private arm(lane: Lane, at: number): void {
    if (lane.timerAt !== undefined && lane.timerAt <= at) return;
    lane.timer?.cancel();
    lane.timerAt = at;
    lane.timer = this.options.clock.setTimer(Math.max(0, at - this.options.clock.now()), () => {
      lane.timer = undefined;
      lane.timerAt = undefined;
      if (!this.stopped) this.run(lane);
    });
  }

  private async head(lane: Lane): Promise<OutboxNotification | undefined> {
    const pending = await this.options.store.dueNotifications(Number.MAX_SAFE_INTEGER, this.batch);
    let first: OutboxNotification | undefined;
    for (const row of pending) {
      if (row.notifier === lane.notifier.id && (first === undefined || row.id < first.id)) first = row;
    }
    return first;
  }

  private async drain(lane: Lane): Promise<void> {
    const { clock, store } = this.options;
    const id = lane.notifier.id;
    while (!this.stopped) {
      lane.again = false;
      const row = await this.head(lane);
      if (row === undefined) return;
      const now = clock.now();
      if (row.nextAttemptAt > now) return this.arm(lane, row.nextAttemptAt);
      const message = parseMessage(row.payload);
      if (message === undefined || now - row.createdAt > this.backoff.giveUpAfterMs) {
        const error = message === undefined ? 'not a notification message' : 'given up: too old';
        await store.markNotification(row.id, { status: 'failed', at: now, error });
        this.count(id, 'dropped');
        continue;
      }
      const token = takeToken(lane.notifier.rateLimit, lane.bucket, now);
      lane.bucket = token.bucket;
      if (!token.ok) return this.arm(lane, now + token.waitMs);
      const result = await lane.notifier
        .send(message, AbortSignal.timeout(this.timeoutMs))
        .catch((error: unknown): SendResult => ({ ok: false, retryable: true, error: `notifier threw: ${this.message(error)}` }));
      const at = clock.now();
      if (result.ok) {
        await store.markNotification(row.id, { status: 'sent', at });
        this.count(id, 'sent');
        continue;
      }
      const error = this.options.redact(result.error);
      const retryAt = result.retryable ? nextAttemptAt(this.backoff, row.attempts + 1, row.createdAt, at, result.retryAfterMs) : undefined;
      if (result.status === 429) {
        this.count(id, 'rate-limited');
        if (retryAt !== undefined) lane.bucket = drainBucket(retryAt, lane.notifier.rateLimit, at);
      } else this.count(id, 'failed');
      if (retryAt === undefined) {
        await store.markNotification(row.id, { status: 'failed', at, error });
        this.count(id, 'dropped');
        this.options.log?.error({ notifier: id, notification: row.id, err: error }, 'notification given up');
        continue;
      }
      await store.markNotification(row.id, { status: 'pending', at, error, nextAttemptAt: retryAt });
      this.options.log?.warn({ notifier: id, notification: row.id, attempts: row.attempts + 1, retryInMs: retryAt - at, err: error }, 'notification failed; will retry');
      return this.arm(lane, retryAt);
    }
  }

  /** Notices for a notifier no longer configured would stay pending forever: give them up. */
  private async dropOrphans(): Promise<void> {
    try {
      const pending = await this.options.store.dueNotifications(Number.MAX_SAFE_INTEGER, this.batch);
      for (const row of pending) {
        if (this.stopped || this.lanes.has(row.notifier)) continue;
        await this.options.store.markNotification(row.id, { status: 'failed', at: this.options.clock.now(), error: 'notifier no longer configured' });
        this.count(row.notifier, 'dropped');
      }
    } catch (error) {
      this.options.log?.error({ err: this.message(error) }, 'outbox: could not drop orphaned notifications');
    }
  }

  private count(notifier: string, result: DeliveryResult): void {
    try {
      this.options.onOutcome?.(notifier, result);
    } catch {
      // A metrics callback must not break delivery.
    }
  }

  private message(error: unknown): string {
    return this.options.redact(errorMessage(error));
  }
}
