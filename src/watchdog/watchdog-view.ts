/** What the watchdog shows about one stream (the API's watchdog status and stream detail). */
import type { Redactor } from '../domain/redact.js';
import type { CheckSpec, CheckType } from '../domain/stream-spec.js';
import type { CheckState, CheckStatus } from '../domain/watchdog/check-state.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { StreamHealthReport } from '../domain/watchdog/stream-health.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { RecoveryState } from '../domain/watchdog/recovery-policy.js';
import type { RunningCheck } from './check-set.js';
import type { InputWatch, InputWatchView } from './input-watch.js';
import type { ProgressCheck } from './progress-check.js';
import type { RecoveryRecords } from './recovery-records.js';

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

/** One check as the API shows it: messages and notes redacted. */
export function checkView(state: CheckState, spec: CheckSpec, running: boolean, redact: Redactor): CheckView {
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

export interface StreamWatchdogState {
  readonly streamId: string;
  readonly spec: StreamSpec;
  readonly progress: ProgressCheck;
  readonly checks: readonly RunningCheck[];
  readonly report: StreamHealthReport;
  readonly recovery: RecoveryState;
  readonly decision: string;
  readonly recoveries: RecoveryRecords;
  readonly inputs: InputWatch | undefined;
  readonly redact: Redactor;
  readonly now: number;
}

/** What the API shows of one stream's watchdog. */
export function streamWatchdogView(w: StreamWatchdogState): WatchdogStreamView {
  const { progress, redact } = w;
  const checks: CheckView[] = [checkView(progress.state, progress.spec, false, redact), ...w.checks.map((c) => checkView(c.state, c.spec, c.scheduler?.inFlight ?? false, redact))];
  const configured = w.spec.checks.map((check) => check.intervalMs);
  const intervals = configured.length > 0 ? configured : [progress.spec.intervalMs];
  const state = w.recovery;
  return {
    streamId: w.streamId,
    report: w.report,
    checks,
    checkIntervalMs: Math.min(...intervals),
    ...(state.lastHealthyAt !== undefined && { lastHealthyAt: state.lastHealthyAt }),
    ...(state.lastFixAt !== undefined && { lastRecoveryAt: state.lastFixAt }),
    recoveryCount: state.recoveryCount,
    decision: w.decision,
    ...(state.crashloopSince !== undefined && { crashloopSince: state.crashloopSince }),
    recoveries: w.recoveries.list(state.episode, w.now),
    ...(w.inputs !== undefined && { input: w.inputs.view() }),
  };
}
