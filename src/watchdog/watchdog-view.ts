/** What the watchdog shows about one stream (the API's watchdog status and stream detail). */
import type { Redactor } from '../domain/redact.js';
import type { CheckSpec, CheckType } from '../domain/stream-spec.js';
import type { CheckState, CheckStatus } from '../domain/watchdog/check-state.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { StreamHealthReport } from '../domain/watchdog/stream-health.js';
import type { InputWatchView } from './input-watch.js';

export interface CheckView {
  readonly name: string;
  readonly type: CheckType;
  readonly informational: boolean;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly status: CheckStatus;
  readonly statusSince: number;
  readonly failingSince?: number;
  readonly lastMessage?: string;
  readonly lastCheckedAt?: number;
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
  readonly consecutiveFailures: number;
  readonly skippedBeats: number;
  /** "skipped: previous probe still running" while the latest beat was skipped; a setup error. */
  readonly note?: string;
  /** A probe of this check is running now. */
  readonly running: boolean;
}

export interface WatchdogStreamView {
  readonly streamId: string;
  /** The stream's health as the watchdog derives it (the stream's one health). */
  readonly report: StreamHealthReport;
  /** The built-in progress check first, then the configured checks. */
  readonly checks: readonly CheckView[];
  /** The smallest configured check interval; the progress sampling period when none is configured. */
  readonly checkIntervalMs: number;
  readonly lastHealthyAt?: number;
  /** The last recovery action the watchdog took (restart, drop-publisher, next-input). */
  readonly lastRecoveryAt?: number;
  /** Recovery actions the watchdog took (notices excluded). */
  readonly recoveryCount: number;
  /** The recovery policy's latest verdict, e.g. "cooldown: …" or "healthy". */
  readonly decision: string;
  readonly crashloopSince?: number;
  /** Newest first; a recovery still in progress comes first, without `recoveredAt`. */
  readonly recoveries: readonly RecoveryRecord[];
  /** Fallback inputs (pipelines with several inputs). */
  readonly input?: InputWatchView;
}

/** One check as the API shows it; its texts redacted. */
export function toCheckView(state: CheckState, spec: CheckSpec, running: boolean, redact: Redactor): CheckView {
  return {
    name: spec.name,
    type: spec.type,
    informational: spec.informational,
    intervalMs: spec.intervalMs,
    timeoutMs: spec.timeoutMs,
    status: state.status,
    statusSince: state.statusSince,
    ...(state.failingSince !== undefined && { failingSince: state.failingSince }),
    ...(state.lastMessage !== undefined && { lastMessage: redact(state.lastMessage) }),
    ...(state.lastCheckedAt !== undefined && { lastCheckedAt: state.lastCheckedAt }),
    ...(state.lastSuccessAt !== undefined && { lastSuccessAt: state.lastSuccessAt }),
    ...(state.lastFailureAt !== undefined && { lastFailureAt: state.lastFailureAt }),
    consecutiveFailures: state.consecutiveFailures,
    skippedBeats: state.skippedBeats,
    ...(state.note !== undefined && { note: redact(state.note) }),
    running,
  };
}
