/**
 * The fast layer's recoveries of one stream, recorded like the watchdog's: an automatic restart
 * (a run that stalled, crashed, exited, timed out) and a switch by the input failover open or add
 * to an episode (fast-episode.ts); the stream healthy again closes it into a recovery record,
 * handed to `record` (kept for the API, stored, published). A crash loop is left to the
 * watchdog, which records its own.
 */
import type { FailureClassification } from '../domain/watchdog/failure-locus.js';
import { closeFastEpisode, failedAtOf, inputFailure, isFastRestart, noteFastAction, type FastEpisode } from '../domain/watchdog/fast-episode.js';
import type { InputSwitch } from '../domain/watchdog/input-failover.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { RunFinished } from '../events/stream-events.js';

export interface FastRecoveriesOptions {
  readonly streamId: string;
  readonly stallTimeoutMs: number;
  /** A finished recovery record. */
  readonly record: (record: RecoveryRecord, at: number) => void;
}

export class FastRecoveries {
  private episode: FastEpisode | undefined;

  constructor(private readonly options: FastRecoveriesOptions) {}

  /** A run ended; `failure` is what its exit and last lines say. Only the fast layer's own restarts count. */
  runFinished(event: RunFinished, failure: FailureClassification): void {
    const run = { reason: event.reason, next: event.next, countsAsRestart: event.countsAsRestart, at: event.at, startedAt: event.at - event.durationMs };
    if (!isFastRestart(run)) return;
    const delay = event.restartDelayMs === undefined || event.restartDelayMs === 0 ? 'at once' : `after ${event.restartDelayMs} ms`;
    const reason = `fast layer: run ${event.reason} (${failure.detail}); restarted ${delay}`;
    this.episode = noteFastAction(this.episode, { type: 'restart', at: event.at, reason }, failure, failedAtOf(run, this.options));
  }

  /** The input failover moved the stream to another input (not a switch back to a better one). */
  inputSwitched(change: InputSwitch, at: number, reason: string, failure: FailureClassification): void {
    const action = { type: 'next-input' as const, at, reason: `input failover: input ${change.from} → ${change.to}: ${reason}` };
    this.episode = noteFastAction(this.episode, action, inputFailure(failure, reason), at);
  }

  /** The stream is healthy again: the open episode, if any, is recorded. */
  healthy(at: number): void {
    const episode = this.episode;
    if (episode === undefined) return;
    this.episode = undefined;
    this.options.record(closeFastEpisode(this.options.streamId, episode, at), at);
  }
}
