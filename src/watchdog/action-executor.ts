/**
 * Performs the rungs the recovery decider chose for one stream — restart, drop-publisher,
 * next-input, notify — one batch at a time (`busy` while one runs: the decider waits for it).
 * A failed action is logged and the batch goes on; nothing runs once the watchdog stopped.
 */
import type { Severity } from '../domain/alerts/message.js';
import type { ObservedState } from '../domain/lifecycle.js';
import type { Redactor } from '../domain/redact.js';
import type { CheckSpec, DropPublisherTarget } from '../domain/stream-spec.js';
import type { WatchdogAction } from '../domain/watchdog/recovery-policy.js';
import { errorMessage } from '../domain/error-message.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SupervisedStream } from '../ports/supervised-stream.js';
import type { CheckSet } from './check-set.js';
import type { InputWatch } from './input-watch.js';
import type { PublisherControl } from './publisher-control.js';
import { dropStalePublisher } from './stale-publisher.js';
import type { StreamNotices } from './stream-notices.js';

export interface ActionExecutorOptions {
  readonly stream: SupervisedStream;
  readonly clock: Clock;
  readonly redact: Redactor;
  readonly log: Logger;
  readonly notices: StreamNotices;
  readonly checks: CheckSet;
  readonly inputs: InputWatch | undefined;
  readonly publisher: PublisherControl;
  readonly dropTarget: DropPublisherTarget;
  readonly isStopped: () => boolean;
  /** Cycles of the ladder the current episode went through (a repeated alert is critical). */
  readonly recoveryCycles: () => number;
  /** The checks failing now, as the decider counts them (whose publisher a drop may target). */
  readonly failingChecks: () => readonly CheckSpec[];
}

export class ActionExecutor {
  private executing = false;
  private switching = false;

  constructor(private readonly options: ActionExecutorOptions) {}

  /** A batch is running. */
  get busy(): boolean {
    return this.executing;
  }

  /** The ladder's next-input (or a drop in rotate mode) is switching inputs right now. */
  get ladderSwitch(): boolean {
    return this.switching;
  }

  async execute(actions: readonly WatchdogAction[], observed: ObservedState): Promise<void> {
    this.executing = true;
    try {
      for (const action of actions) {
        if (this.options.isStopped()) return;
        try {
          await this.perform(action, observed);
        } catch (error) {
          const message = this.options.redact(errorMessage(error));
          this.options.log.error({ action: action.type, err: message }, 'recovery action failed');
        }
      }
    } finally {
      this.executing = false;
    }
  }

  private async perform(action: WatchdogAction, observed: ObservedState): Promise<void> {
    const { stream, log, notices } = this.options;
    const reason = this.options.redact(action.reason);
    const now = this.options.clock.now();
    switch (action.type) {
      case 'notify': {
        const crashloop = observed === 'crashloop';
        const severity: Severity = crashloop || this.options.recoveryCycles() > 0 ? 'critical' : 'warning';
        const title = crashloop ? `${stream.spec.name} is in a crash loop` : `${stream.spec.name} is unhealthy`;
        notices.notify(crashloop ? 'crashloop' : 'unhealthy', severity, title, reason);
        return;
      }
      case 'restart':
        if (stream.desired !== 'running') return;
        log.warn({ reason }, 'watchdog restarts the stream');
        notices.announce('restart', reason);
        this.options.checks.renew(now);
        stream.restart('watchdog');
        return;
      case 'drop-publisher':
        await this.dropPublisher(reason);
        return;
      case 'next-input': {
        const inputs = this.options.inputs;
        if (inputs === undefined) {
          log.warn({ reason }, 'next-input: the stream has no other input');
          return;
        }
        this.asLadder(() => {
          if (inputs.advance(reason) === undefined) log.warn({ reason }, 'next-input: no other input to switch to');
        });
        return;
      }
    }
  }

  /**
   * Drops the stale publisher at the RTMP server (drop-target.ts: the failing check's, the active
   * input's or our own); in rotate mode the input queue moves on, and an input whose publisher
   * was dropped is left in either mode.
   */
  private async dropPublisher(reason: string): Promise<void> {
    const { stream, inputs } = this.options;
    const drop = { spec: stream.spec, target: this.options.dropTarget, failing: this.options.failingChecks(), activeInput: stream.activeInput, publisher: this.options.publisher, log: this.options.log };
    const target = await dropStalePublisher(drop, reason);
    if (target === undefined) return;
    this.options.checks.renew(this.options.clock.now());
    if (inputs === undefined) return;
    this.asLadder(() => {
      if (target.activeInput === stream.activeInput) inputs.activePublisherDropped(reason);
      else inputs.publisherDropped();
    });
  }

  /** Input switches made inside `move` are the ladder's (not a failover the decider must note). */
  private asLadder(move: () => void): void {
    this.switching = true;
    try {
      move();
    } finally {
      this.switching = false;
    }
  }
}
