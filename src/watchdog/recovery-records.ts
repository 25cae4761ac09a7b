/**
 * One stream's recovery records (DESIGN.md "recovery record"): where the failure was, captured when
 * the watchdog first acts on an episode (later evidence would describe the cure, not the failure);
 * the record built when the episode ends with the stream healthy; the last RECOVERY_HISTORY kept
 * for the API, newest first, with the episode in progress on top.
 */
import type { FailureClassification } from '../domain/watchdog/failure-locus.js';
import { buildRecoveryRecord, type RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { Episode, RecoveredEpisode } from '../domain/watchdog/recovery-types.js';

/** Recoveries kept per stream for the API. */
export const RECOVERY_HISTORY = 20;

export interface ClassifiedFailure {
  readonly classification: FailureClassification;
  /** When the failure began (the first failing check, the first crash), at or before detection. */
  readonly failedAt: number;
}

export class RecoveryRecords {
  private failure: (ClassifiedFailure & { readonly episodeStartedAt: number }) | undefined;
  private readonly kept: RecoveryRecord[] = [];

  /** `classify(at)`: the failure as known now, for an episode whose capture was missed. */
  constructor(
    private readonly streamId: string,
    private readonly classify: (at: number) => ClassifiedFailure,
  ) {}

  /** The watchdog acts on an episode: what failed is captured once per episode. */
  capture(episode: Episode, classify: () => ClassifiedFailure): void {
    if (this.failure?.episodeStartedAt !== episode.startedAt) this.failure = { episodeStartedAt: episode.startedAt, ...classify() };
  }

  /** A restart someone asked for: the episode's failure is not one to record. */
  forget(): void {
    this.failure = undefined;
  }

  /** The episode ended with the stream healthy: its record, kept and returned. */
  close(recovered: RecoveredEpisode): RecoveryRecord {
    const failure = this.failureOf(recovered, recovered.startedAt);
    this.failure = undefined;
    const record = buildRecoveryRecord({
      stream: this.streamId,
      failure: failure.classification,
      failedAt: failure.failedAt,
      detectedAt: recovered.startedAt,
      actions: recovered.actions,
      recoveredAt: recovered.recoveredAt,
    });
    this.keep(record);
    return record;
  }

  /** A finished record built elsewhere (the fast layer's, fast-recoveries.ts), kept with the others. */
  keep(record: RecoveryRecord): void {
    this.kept.push(record);
    if (this.kept.length > RECOVERY_HISTORY) this.kept.shift();
  }

  /** Newest first; an episode in progress with actions taken comes first, without `recoveredAt`. */
  list(inProgress: Episode | undefined, now: number): RecoveryRecord[] {
    const newestFirst = [...this.kept].reverse();
    if (inProgress === undefined || inProgress.actions.length === 0) return newestFirst;
    const failure = this.failureOf(inProgress, now);
    const open = buildRecoveryRecord({
      stream: this.streamId,
      failure: failure.classification,
      failedAt: failure.failedAt,
      detectedAt: inProgress.startedAt,
      actions: inProgress.actions,
    });
    return [open, ...newestFirst];
  }

  private failureOf(episode: Episode, at: number): ClassifiedFailure {
    return this.failure?.episodeStartedAt === episode.startedAt ? this.failure : this.classify(at);
  }
}
