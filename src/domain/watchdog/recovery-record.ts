/**
 * The record kept for each recovery: what failed and where, what was done, how long detection
 * took and how long recovery took. Stored, shown in the API, and fed to
 * `streamwarden_recovery_duration_seconds`.
 *
 * Times: `failedAt` is when the failure began (the failing check's first failure, or the run's
 * end), `detectedAt` when the stream was judged unhealthy, `recoveredAt` when it was healthy
 * again. `detectedAfterMs = detectedAt − failedAt`; `recoveredAfterMs = recoveredAt − detectedAt`
 * (the whole time spent recovering, every rung and settle time included).
 */
import type { RecoveryAction } from '../stream-spec.js';
import type { FailureCause, FailureClassification, FailureLocus } from './failure-locus.js';

export interface TakenAction {
  readonly type: RecoveryAction;
  readonly at: number;
  readonly reason: string;
}

export interface RecoveryRecord {
  readonly stream: string;
  readonly cause: FailureCause;
  readonly locus: FailureLocus;
  /** The evidence behind cause and locus (a redacted log line, a check's message). */
  readonly detail: string;
  /** The last fix taken (the one that helped); `notify` when only notices went out; `none` when nothing was done. */
  readonly action: RecoveryAction | 'none';
  readonly actions: readonly TakenAction[];
  readonly failedAt: number;
  readonly detectedAt: number;
  readonly detectedAfterMs: number;
  /** Unset while the stream has not recovered. */
  readonly recoveredAt?: number;
  readonly recoveredAfterMs?: number;
}

export interface RecoveryRecordInput {
  readonly stream: string;
  readonly failure: FailureClassification;
  readonly failedAt: number;
  readonly detectedAt: number;
  readonly actions: readonly TakenAction[];
  readonly recoveredAt?: number;
}

export function buildRecoveryRecord(input: RecoveryRecordInput): RecoveryRecord {
  const failedAt = Math.min(input.failedAt, input.detectedAt);
  const fixes = input.actions.filter((action) => action.type !== 'notify');
  const last = fixes.at(-1) ?? input.actions.at(-1);
  return {
    stream: input.stream,
    cause: input.failure.cause,
    locus: input.failure.locus,
    detail: input.failure.detail,
    action: last?.type ?? 'none',
    actions: input.actions,
    failedAt,
    detectedAt: input.detectedAt,
    detectedAfterMs: input.detectedAt - failedAt,
    ...(input.recoveredAt !== undefined && {
      recoveredAt: input.recoveredAt,
      recoveredAfterMs: Math.max(0, input.recoveredAt - input.detectedAt),
    }),
  };
}
