/**
 * Recoveries by the fast layer, recorded like the watchdog's (recovery-record.ts): an automatic
 * restart after a run ended on its own (exited, killed, stalled, start timeout, failed to start)
 * and an input switch by the failover open an episode, or add to the one open; the stream healthy
 * again closes it into a record. What failed is the first failure of the episode; later actions
 * add to `actions`, and their evidence replaces the failure only while its locus is unknown (a
 * stall, then a failed probe of the input: the input failed).
 *
 * Times: `failedAt` is when the first failure began — for a stall, the stall timeout before the
 * kill (progress stopped advancing then); for a start timeout, the run's start — and `detectedAt`
 * when the fast layer acted on it.
 *
 * Pure.
 */
import type { ExitReason } from '../lifecycle.js';
import type { RecoveryAction } from '../stream-spec.js';
import type { FailureClassification } from './failure-locus.js';
import { buildRecoveryRecord, type RecoveryRecord, type TakenAction } from './recovery-record.js';
import { MAX_EPISODE_ACTIONS } from './recovery-types.js';

export interface FastEpisode {
  readonly failure: FailureClassification;
  readonly failedAt: number;
  readonly detectedAt: number;
  readonly actions: readonly TakenAction[];
}

/** A run that ended on its own, as the fast layer handled it. */
export interface FastRunEnd {
  readonly reason: ExitReason;
  /** What the fast layer does next: restart (`starting`, `backoff`) or leave it to the watchdog (`crashloop`). */
  readonly next: string;
  /** Whether the restart policy restarts it on its own (false: a stop or a requested restart). */
  readonly countsAsRestart: boolean;
  readonly at: number;
  /** When the run started. */
  readonly startedAt?: number;
}

export interface FastTimeouts {
  readonly stallTimeoutMs: number;
}

/** When the failure that ended `run` began. */
export function failedAtOf(run: FastRunEnd, timeouts: FastTimeouts): number {
  if (run.reason === 'stalled') return run.at - timeouts.stallTimeoutMs;
  if (run.reason === 'start-timeout' && run.startedAt !== undefined) return run.startedAt;
  return run.at;
}

/** Whether the fast layer itself restarts after this run (a crash loop is left to the watchdog). */
export function isFastRestart(run: FastRunEnd): boolean {
  return run.countsAsRestart && (run.next === 'starting' || run.next === 'backoff');
}

/** The failover left an input: whatever its evidence says of the cause, the input is where it failed. */
export function inputFailure(classified: FailureClassification, reason: string): FailureClassification {
  if (classified.locus === 'input') return classified;
  return { locus: 'input', cause: classified.cause, detail: reason, evidence: classified.evidence === 'none' ? 'check' : classified.evidence };
}

/** Adds a fast-layer action to the open episode, or opens one with this failure. */
export function noteFastAction(
  episode: FastEpisode | undefined,
  action: { readonly type: RecoveryAction; readonly at: number; readonly reason: string },
  failure: FailureClassification,
  failedAt: number,
): FastEpisode {
  if (episode === undefined) return { failure, failedAt: Math.min(failedAt, action.at), detectedAt: action.at, actions: [action] };
  const sharper = episode.failure.locus === 'unknown' && failure.locus !== 'unknown';
  return { ...episode, ...(sharper && { failure }), actions: [...episode.actions, action].slice(-MAX_EPISODE_ACTIONS) };
}

/** The stream is healthy again at `at`: the episode's record. */
export function closeFastEpisode(stream: string, episode: FastEpisode, at: number): RecoveryRecord {
  return buildRecoveryRecord({
    stream,
    failure: episode.failure,
    failedAt: episode.failedAt,
    detectedAt: episode.detectedAt,
    actions: episode.actions,
    recoveredAt: Math.max(at, episode.detectedAt),
  });
}
