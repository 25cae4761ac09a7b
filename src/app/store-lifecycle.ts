/**
 * The store's life in the daemon: the first attempt to open it (before the supervisor exists, so
 * that the runner can be chosen), retries while it is unavailable, the writability probe behind
 * /readyz and the store alert, retention pruning, and the close at shutdown.
 *
 * When the store cannot be opened the daemon runs from the configuration alone (no persistence),
 * reports a failing `store` component and keeps trying; `onLateOpen` runs for a store opened by
 * a later attempt.
 */
import { openSqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { errorMessage } from '../domain/error-message.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { StoreUnavailableError, type Store } from '../ports/store.js';

/** How often the store's writability is probed for /readyz. */
const STORE_CHECK_MS = 10_000;
/** Retention: pruned at start and then this often. */
const PRUNE_EVERY_MS = 60 * 60 * 1_000;
const DAY_MS = 24 * 60 * 60 * 1_000;
const RETENTION = { keepRunsPerStream: 50, maxEventAgeMs: 7 * DAY_MS, maxRecoveryAgeMs: 30 * DAY_MS, maxSentNotificationAgeMs: 7 * DAY_MS } as const;

export interface StoreLifecycleOptions {
  readonly path: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** While the store cannot be opened, try again this often. @default 10000 */
  readonly retryMs?: number;
}

/** Told on every failed write probe (`trouble`) and when writes work again (undefined). */
export type WritabilityListener = (trouble: string | undefined) => void;

export class StoreLifecycle {
  private store: Store | undefined;
  private problem: string | undefined = 'not opened yet';
  private closing = false;
  private readonly timers: { check?: TimerHandle; prune?: TimerHandle; retry?: TimerHandle } = {};
  private lateOpen: (store: Store) => Promise<void> = () => Promise.resolve();
  private writability: WritabilityListener = () => undefined;

  private constructor(private readonly options: StoreLifecycleOptions) {}

  /** Makes the first attempt; a store that is unavailable is not an error (see the class comment). */
  static async open(options: StoreLifecycleOptions): Promise<StoreLifecycle> {
    const lifecycle = new StoreLifecycle(options);
    await lifecycle.attempt();
    return lifecycle;
  }

  /** The store, once open (undefined while it is unavailable). */
  current(): Store | undefined {
    return this.store;
  }

  /** Why the store is not usable now; undefined when it is writable. */
  trouble(): string | undefined {
    return this.problem;
  }

  /** Runs for a store that a later attempt opened (the first one is the caller's to use). */
  onLateOpen(handler: (store: Store) => Promise<void>): void {
    this.lateOpen = handler;
  }

  onWritability(listener: WritabilityListener): void {
    this.writability = listener;
  }

  /** Prunes, then probes and prunes periodically; keeps retrying while the store is unavailable. */
  async start(): Promise<void> {
    if (this.store) await this.beginUpkeep();
    else this.scheduleRetry();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of Object.values(this.timers)) timer?.cancel();
    await this.store?.close().catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing the store failed'));
  }

  private async attempt(): Promise<boolean> {
    const { path, clock, logger } = this.options;
    try {
      const opened = await openSqliteStore({ path, clock });
      if (this.closing) {
        await opened.close();
        return false;
      }
      logger.info({ path }, 'store opened');
      this.store = opened;
      this.problem = undefined;
      return true;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.problem = errorMessage(error);
      logger.error({ err: error, path, retryMs: this.retryMs() }, 'the store is unavailable; running from the configuration without persistence');
      return false;
    }
  }

  private retryMs(): number {
    return this.options.retryMs ?? STORE_CHECK_MS;
  }

  private scheduleRetry(): void {
    this.timers.retry = this.options.clock.setTimer(this.retryMs(), () => {
      if (this.closing) return;
      void this.retry().catch((err: unknown) => this.options.logger.error({ err }, 'opening the store failed'));
    });
  }

  private async retry(): Promise<void> {
    if (!(await this.attempt())) {
      if (!this.closing) this.scheduleRetry();
      return;
    }
    const opened = this.store;
    if (!opened) return;
    await this.lateOpen(opened);
    await this.beginUpkeep();
  }

  private async beginUpkeep(): Promise<void> {
    await this.prune();
    this.repeat('prune', PRUNE_EVERY_MS, () => this.prune());
    this.repeat('check', STORE_CHECK_MS, () => this.checkWritable());
  }

  /** Runs `work` every `ms`, the next run armed once this one is over. */
  private repeat(name: 'prune' | 'check', ms: number, work: () => Promise<void>): void {
    this.timers[name] = this.options.clock.setTimer(ms, () => {
      void work().finally(() => {
        if (!this.closing) this.repeat(name, ms, work);
      });
    });
  }

  private async prune(): Promise<void> {
    const { clock, logger } = this.options;
    try {
      const removed = await this.store?.prune({ now: clock.now(), ...RETENTION });
      if (removed) logger.info({ removed }, 'store pruned');
    } catch (error) {
      logger.warn({ err: error }, 'pruning the store failed; trying again later');
    }
  }

  private async checkWritable(): Promise<void> {
    const { path, logger } = this.options;
    if (!this.store) return;
    try {
      await this.store.checkWritable();
      if (this.problem !== undefined) {
        logger.info({ path }, 'the store is writable');
        this.writability(undefined);
      }
      this.problem = undefined;
    } catch (error) {
      if (this.problem === undefined) logger.error({ err: error, path }, 'the store cannot take writes; streams keep running');
      this.problem = errorMessage(error);
      this.writability(this.problem);
    }
  }
}
