/**
 * The one reconcile loop: reads what is desired (the store, fed by the file, the API and the
 * controller), looks at what the target (the supervisor) has, and applies the diff (diff.ts).
 *
 * - Level-triggered: a pass compares the two sets as they are now. Sources call `trigger()` after
 *   they changed the store; triggers within `debounceMs` are coalesced into one pass, and a full
 *   resync runs every `resyncMs` whatever happened, so a lost trigger only delays convergence.
 * - Nothing runs before `ready` resolves (the daemon's initial observation: re-attaching to the
 *   processes it had started). Before that the target's list is incomplete, and acting on it
 *   would stop or duplicate what is really running.
 * - One stream never blocks another: each action runs on its own; a pass launches them and does
 *   not wait for them. A stream whose action is still in flight is skipped by later passes and
 *   looked at again once its action settles.
 * - Nothing is ever thrown out of the loop: a failed action (or a store that cannot be read) is
 *   logged and retried by a pass `retryMs` later.
 */
import type { StreamSpec } from '../domain/stream-spec.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamsRepository } from '../ports/store.js';
import { countActions, reconcileDiff, type DesiredEntry, type ObservedEntry, type ReconcileAction, type ReconcileActionKind } from './diff.js';
import { errorMessage } from '../domain/error-message.js';

/** What the reconciler drives (the Supervisor, through supervisor-target.ts). */
export interface ReconcileTarget {
  /** Every stream it has now, by id. */
  list(): ReadonlyMap<string, ObservedEntry>;
  /** Adds a stream and starts it when `spec.desired` is running. */
  add(spec: StreamSpec): Promise<void>;
  /** Applies a changed spec: stop, swap, start again when `spec.desired` is running. */
  update(spec: StreamSpec): Promise<void>;
  /** Stops a stream and forgets it. */
  remove(id: string): Promise<void>;
  start(id: string): Promise<void>;
  stop(id: string): Promise<void>;
}

/** The desired set, by id. */
export type DesiredReader = () => Promise<ReadonlyMap<string, DesiredEntry>>;

/** The desired set as the store has it (every owner). */
export function storeDesired(store: Pick<StreamsRepository, 'listStreams'>): DesiredReader {
  return async () => new Map((await store.listStreams()).map((stream) => [stream.id, { spec: stream.spec, desired: stream.desired }]));
}

export interface ReconcilerOptions {
  readonly target: ReconcileTarget;
  readonly readDesired: DesiredReader;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Resolves once the initial observation is complete; nothing is reconciled before. */
  readonly ready: Promise<void>;
  /** Triggers within this window make one pass. @default 200 */
  readonly debounceMs?: number;
  /** A full pass this often, triggered or not. @default 30000 */
  readonly resyncMs?: number;
  /** A pass this long after a failure (of an action or of reading the desired set). @default 5000 */
  readonly retryMs?: number;
  /** An action still unsettled after this long is logged as slow (it keeps its stream in flight). @default 30000 */
  readonly slowActionMs?: number;
}

export interface InFlightAction {
  readonly id: string;
  readonly kind: ReconcileActionKind;
  readonly since: number;
}

export interface FailedAction {
  readonly id: string;
  readonly kind: ReconcileActionKind;
  readonly at: number;
  readonly error: string;
}

/** For health reporting. */
export interface ReconcilerStatus {
  readonly ready: boolean;
  readonly passes: number;
  readonly lastPassAt: number | undefined;
  readonly inFlight: readonly InFlightAction[];
  /** Streams whose last action failed (cleared when one succeeds); retried by later passes. */
  readonly failing: readonly FailedAction[];
  /** Set while the desired set cannot be read (e.g. the store is unavailable). */
  readonly readError: string | undefined;
}

/** What one pass decided: the actions it launched and the streams it left to their action in flight. */
export interface PassReport {
  readonly launched: readonly ReconcileAction[];
  readonly skipped: readonly string[];
  readonly kept: number;
}


export class Reconciler {
  private readonly debounceMs: number;
  private readonly resyncMs: number;
  private readonly retryMs: number;
  private readonly slowActionMs: number;
  private started = false;
  private isReady = false;
  private closed = false;
  private debounceTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private passing: Promise<PassReport | undefined> | undefined;
  private again = false;
  private passes = 0;
  private lastPassAt: number | undefined;
  private readError: string | undefined;
  private readonly inFlight = new Map<string, InFlightAction>();
  /** Streams a pass skipped because their action was in flight: looked at again when it settles. */
  private readonly deferred = new Set<string>();
  private readonly failing = new Map<string, FailedAction>();

  constructor(private readonly options: ReconcilerOptions) {
    this.debounceMs = options.debounceMs ?? 200;
    this.resyncMs = options.resyncMs ?? 30_000;
    this.retryMs = options.retryMs ?? 5_000;
    this.slowActionMs = options.slowActionMs ?? 30_000;
  }

  /** Starts the loop: the first pass runs as soon as `ready` resolves. Idempotent. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.options.ready.then(
      () => this.becomeReady(),
      (error: unknown) => {
        // The daemon's observation failed; reconciling anyway is better than never starting a
        // stream, and the daemon has adopted what it could.
        this.options.logger.error({ err: error }, 'the initial observation failed; reconciling with what was observed');
        this.becomeReady();
      },
    );
  }

  /** Asks for a pass soon (coalesced with other triggers within `debounceMs`). Never throws. */
  trigger(reason = 'change'): void {
    if (this.closed || !this.isReady || this.debounceTimer) return;
    this.options.logger.debug({ reason }, 'reconcile triggered');
    this.debounceTimer = this.options.clock.setTimer(this.debounceMs, () => {
      this.debounceTimer = undefined;
      void this.runPass();
    });
  }

  /**
   * Runs a pass now (or joins the one running, then runs another). Resolves once its actions are
   * launched, not once they are done; undefined when not ready or closed.
   */
  reconcileNow(): Promise<PassReport | undefined> {
    if (this.closed || !this.isReady) return Promise.resolve(undefined);
    return this.runPass();
  }

  status(): ReconcilerStatus {
    return {
      ready: this.isReady,
      passes: this.passes,
      lastPassAt: this.lastPassAt,
      inFlight: [...this.inFlight.values()],
      failing: [...this.failing.values()],
      readError: this.readError,
    };
  }

  /**
   * Stops the loop: no pass after this one. Waits for a pass in progress, not for the actions it
   * launched (the supervisor's stopAll takes care of the streams).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of [this.debounceTimer, this.resyncTimer, this.retryTimer]) timer?.cancel();
    this.debounceTimer = this.resyncTimer = this.retryTimer = undefined;
    await this.passing;
  }

  private becomeReady(): void {
    if (this.closed) return;
    this.isReady = true;
    this.options.logger.info({}, 'initial observation complete; reconciling');
    void this.runPass();
    this.armResync();
  }

  private armResync(): void {
    if (this.closed) return;
    this.resyncTimer = this.options.clock.setTimer(this.resyncMs, () => {
      this.resyncTimer = undefined;
      void this.runPass();
      this.armResync();
    });
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = this.options.clock.setTimer(this.retryMs, () => {
      this.retryTimer = undefined;
      void this.runPass();
    });
  }

  /** One pass at a time; a pass asked for while one runs runs right after it. */
  private runPass(): Promise<PassReport | undefined> {
    if (this.passing) {
      this.again = true;
      return this.passing;
    }
    const passing = (async () => {
      let report: PassReport | undefined;
      do {
        this.again = false;
        report = await this.pass();
      } while (this.again && !this.closed);
      return report;
    })();
    this.passing = passing;
    void passing.finally(() => {
      if (this.passing === passing) this.passing = undefined;
    });
    return passing;
  }

  private async pass(): Promise<PassReport | undefined> {
    if (this.closed) return undefined;
    const { logger } = this.options;
    let desired: ReadonlyMap<string, DesiredEntry>;
    let observed: ReadonlyMap<string, ObservedEntry>;
    try {
      desired = await this.options.readDesired();
      if (this.closed) return undefined;
      observed = this.options.target.list();
    } catch (error) {
      this.readError = errorMessage(error);
      logger.error({ err: error, retryInMs: this.retryMs }, 'cannot read the desired or observed state; every stream is left as it is');
      this.scheduleRetry();
      return undefined;
    }
    if (this.readError !== undefined) logger.info({}, 'the desired state can be read again');
    this.readError = undefined;

    const actions = reconcileDiff(desired, observed);
    const launched: ReconcileAction[] = [];
    const skipped: string[] = [];
    let kept = 0;
    for (const action of actions) {
      if (action.kind === 'keep') {
        kept++;
      } else if (this.inFlight.has(action.id)) {
        skipped.push(action.id);
        this.deferred.add(action.id);
      } else {
        launched.push(action);
        this.launch(action);
      }
    }
    this.passes++;
    this.lastPassAt = this.options.clock.now();
    const counts = countActions(launched);
    const summary = { kept, added: counts.add, updated: counts.update, started: counts.start, stopped: counts.stop, removed: counts.remove, inFlight: skipped.length };
    if (launched.length > 0) logger.info(summary, 'reconcile: applying changes');
    else logger.debug(summary, 'reconcile: nothing to do');
    return { launched, skipped, kept };
  }

  private launch(action: ReconcileAction): void {
    const { logger, clock } = this.options;
    const entry: InFlightAction = { id: action.id, kind: action.kind, since: clock.now() };
    this.inFlight.set(action.id, entry);
    const slow = clock.setTimer(this.slowActionMs, () =>
      logger.warn({ stream: action.id, action: action.kind, forMs: this.slowActionMs }, 'a reconcile action is slow; this stream waits, the others do not'),
    );
    // Through a then() so that a target that throws synchronously is a rejection too.
    Promise.resolve()
      .then(() => this.perform(action))
      .then(
        () => {
          this.failing.delete(action.id);
          logger.info({ stream: action.id, action: action.kind }, `reconcile: ${action.kind} ${action.id}`);
        },
        (error: unknown) => {
          this.failing.set(action.id, { id: action.id, kind: action.kind, at: clock.now(), error: errorMessage(error) });
          logger.error({ stream: action.id, action: action.kind, err: error, retryInMs: this.retryMs }, `reconcile: ${action.kind} ${action.id} failed; will retry`);
          this.scheduleRetry();
        },
      )
      .finally(() => {
        slow.cancel();
        if (this.inFlight.get(action.id) === entry) this.inFlight.delete(action.id);
        if (this.deferred.delete(action.id)) this.trigger('deferred');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'reconcile bookkeeping failed'));
  }

  private perform(action: ReconcileAction): Promise<void> {
    const { target } = this.options;
    switch (action.kind) {
      case 'add':
        return target.add(action.spec);
      case 'update':
        return target.update(action.spec);
      case 'remove':
        return target.remove(action.id);
      case 'start':
        return target.start(action.id);
      case 'stop':
        return target.stop(action.id);
      case 'keep':
        return Promise.resolve();
    }
  }
}
