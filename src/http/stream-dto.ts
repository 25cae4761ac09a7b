/**
 * The public shapes of streams, runs and checks in the API (DESIGN.md §4.3). Never carry a
 * secret: every text that may hold one passes through the redactor, and the routes' response
 * schemas only serialise the fields declared here. Times are ISO 8601 strings; unknown is null.
 */
import type { Health } from '../domain/health.js';
import { hlsPlaylistPath } from '../domain/hls-output.js';
import type { Redactor } from '../domain/redact.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { RunRecord, StreamStatus } from '../ports/supervised-stream.js';
import type { StreamSupervisor } from '../supervisor/stream-supervisor.js';
import type { CheckView, WatchdogStreamView } from '../watchdog/watchdog-view.js';
import { redactEntry, toStreamEntry, type StreamEntry } from '../config/stream-entry.js';
import { recoverySummary } from './recovery-summary.js';
import { isoOrNull } from './iso-time.js';

export interface StreamDto {
  id: string;
  name: string;
  desired: string;
  state: string;
  health: Health;
  pid: number | null;
  restarts: number;
  uptimeSeconds: number;
  lastError: string | null;
  progress: {
    fps: number | null;
    bitrateBps: number | null;
    speed: number | null;
    frames: number | null;
    outTimeSeconds: number | null;
  };
  /** The input in use, masked; null for raw args. */
  activeInput: string | null;
  /** When a check of the stream last ran (the newest of its checks); null: never, or no watchdog. */
  lastCheckAt: string | null;
  /** The engine of its pool the stream holds now; null when it names no pool or holds none. */
  engine: string | null;
  /** The HLS preview of a stream writing HLS to a local folder (whose path holds no secret); else null. */
  preview: PreviewDto | null;
}

export interface PreviewDto {
  /** The playlist's URL under /api/v1/streams/:id/hls/. */
  hls: string;
}

/** One run without its log lines (those are in /runs and /logs). */
export interface RunSummaryDto {
  runId: number;
  pid: number | null;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number;
  /** Why it ended (null while it runs). */
  reason: string | null;
  exitCode: number | null;
  signal: string | null;
  lastError: string | null;
}

export interface RunDto extends RunSummaryDto {
  firstLines: string[];
  lastLines: string[];
}

export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckDto {
  name: string;
  type: string;
  /** The progress check is sampled at its interval; null without a watchdog. */
  intervalSeconds: number | null;
  timeoutSeconds: number | null;
  informational: boolean;
  /** `unknown` until the check has a verdict (thresholds, start grace: check-state.ts). */
  status: CheckStatus;
  /** The last result's message, e.g. "video h264 320x240, audio aac 44100 Hz" or "timed out after 10 s". */
  lastMessage: string | null;
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  /** Since when the check is failing (null unless failing). */
  failingSince: string | null;
  consecutiveFailures: number;
  /** Beats skipped because the previous probe was still running. */
  skippedBeats: number;
  /** E.g. "skipped: previous probe still running" while the latest beat was skipped. */
  note: string | null;
}

/** One recovery by the watchdog: what failed where, what was done, how long it took. */
export interface RecoveryDto {
  cause: string;
  locus: string;
  detail: string;
  action: string;
  actions: { type: string; reason: string; at: string }[];
  failedAt: string;
  detectedAt: string;
  detectedAfterSeconds: number;
  /** Null while the recovery is still in progress. */
  recoveredAt: string | null;
  recoveredAfterSeconds: number | null;
}

export interface InputDto {
  /** `priority` or `rotate`. */
  mode: string;
  /** Index into the stream's inputs of the one in use. */
  active: number;
  count: number;
  switches: number;
}

export interface StreamDetailDto extends StreamDto {
  /** Why the stream has its health, in one line. */
  healthReason: string;
  /** The spec as a config-file stream entry, secrets masked (see stream-entry.ts). */
  spec: StreamEntry;
  checks: CheckDto[];
  /** Recent watchdog recoveries, newest first (one in progress first). */
  recoveries: RecoveryDto[];
  /** Fallback inputs; null for a stream with a single input or raw args. */
  input: InputDto | null;
  currentRun: RunSummaryDto | null;
  recentRuns: RunSummaryDto[];
}

export interface FailingCheckDto {
  name: string;
  type: string;
  informational: boolean;
  message: string;
  failingSince: string | null;
  consecutiveFailures: number;
}

export interface WatchdogStreamDto {
  id: string;
  state: string;
  desired: string;
  health: Health;
  healthReason: string;
  /** A watchdog runs for the stream (false: only the fast layer's view below). */
  watchdog: boolean;
  /**
   * Failures in a row since the stream was last healthy: the longest run of failed checks, or the
   * fast layer's automatic restarts, whichever is larger.
   */
  consecutiveUnhealthy: number;
  lastHealthyAt: string | null;
  /** The last recovery by either layer (an automatic restart, or a watchdog action). */
  lastRecoveryAt: string | null;
  /** Recoveries by both layers: automatic restarts plus watchdog actions. */
  recoveryCount: number;
  /** The smallest configured check interval (else the progress sampling period); null without a watchdog. */
  checkIntervalSeconds: number | null;
  stallTimeoutSeconds: number;
  startTimeoutSeconds: number;
  /** Checks failing now, with their last messages (informational ones are marked). */
  failingChecks: FailingCheckDto[];
  /** Degraded rules breached now, e.g. "bitrate 50 kb/s below 20 % of baseline 2 Mb/s for 16 s". */
  degraded: string[];
  /** The recovery policy's latest verdict (e.g. "cooldown: …"); null without a watchdog. */
  decision: string | null;
  crashloopSince: string | null;
}

export interface WatchdogStatusDto {
  generatedAt: string;
  streams: WatchdogStreamDto[];
}

/** Recent finished runs shown with a stream. */
const RECENT_RUNS = 5;

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));


const identity: Redactor = (text) => text;

/** The playlist the preview may serve: the stream writes it locally and its path holds no secret. */
export function previewPlaylist(stream: StreamSupervisor, redact: Redactor): string | undefined {
  const playlist = hlsPlaylistPath(stream.spec.source);
  return playlist !== undefined && redact(playlist) === playlist ? playlist : undefined;
}

function activeInput(stream: StreamSupervisor, redact: Redactor, watchdog: WatchdogStreamView | undefined): string | null {
  const source = stream.spec.source;
  if (source.kind !== 'pipeline') return null;
  const input = source.inputs[watchdog?.input?.active ?? 0] ?? source.inputs[0];
  return input === undefined ? null : redact(input.url);
}

function lastCheckAt(watchdog: WatchdogStreamView | undefined): string | null {
  const times = (watchdog?.checks ?? []).flatMap((check) => (check.lastCheckedAt === undefined ? [] : [check.lastCheckedAt]));
  return times.length === 0 ? null : new Date(Math.max(...times)).toISOString();
}

export function toStreamDto(stream: StreamSupervisor, redact: Redactor = identity, watchdog?: WatchdogStreamView, engine?: string): StreamDto {
  const status = stream.status();
  const p = status.progress;
  const playlist = previewPlaylist(stream, redact);
  return {
    id: status.id,
    name: redact(status.name),
    desired: status.desired,
    state: status.state,
    health: status.health,
    pid: status.pid ?? null,
    restarts: status.restarts,
    uptimeSeconds: Math.floor(status.uptimeSeconds),
    lastError: status.lastError === undefined ? null : redact(status.lastError),
    progress: {
      fps: round(p?.fps, 2),
      bitrateBps: round(p?.bitrate, 0),
      speed: round(p?.speed, 3),
      frames: p?.frames ?? null,
      outTimeSeconds: round(p?.outTimeSeconds, 3),
    },
    activeInput: activeInput(stream, redact, watchdog),
    lastCheckAt: lastCheckAt(watchdog),
    engine: engine ?? null,
    preview: playlist === undefined ? null : { hls: `/api/v1/streams/${encodeURIComponent(status.id)}/hls/${playlist.split('/').at(-1) ?? ''}` },
  };
}

export function toRunSummaryDto(run: RunRecord, now: number, redact: Redactor): RunSummaryDto {
  return {
    runId: run.runId,
    pid: run.pid ?? null,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: isoOrNull(run.endedAt),
    durationSeconds: round(((run.endedAt ?? now) - run.startedAt) / 1_000, 3) ?? 0,
    reason: run.reason ?? null,
    exitCode: run.exitCode ?? null,
    signal: run.signal ?? null,
    lastError: run.lastError === undefined ? null : redact(run.lastError),
  };
}

export function toRunDto(run: RunRecord, now: number, redact: Redactor): RunDto {
  return {
    ...toRunSummaryDto(run, now, redact),
    firstLines: run.firstLines.map(redact),
    lastLines: run.lastLines.map(redact),
  };
}

const CHECK_STATUS: Readonly<Record<CheckView['status'], CheckStatus>> = { passing: 'pass', failing: 'fail', unknown: 'unknown' };

function toCheckDto(check: CheckView, redact: Redactor): CheckDto {
  return {
    name: check.name,
    type: check.type,
    intervalSeconds: check.intervalMs / 1_000,
    timeoutSeconds: check.type === 'progress' ? null : check.timeoutMs / 1_000,
    informational: check.informational,
    status: CHECK_STATUS[check.status],
    lastMessage: check.lastMessage === undefined ? null : redact(check.lastMessage),
    lastCheckedAt: isoOrNull(check.lastCheckedAt),
    lastSuccessAt: isoOrNull(check.lastSuccessAt),
    failingSince: isoOrNull(check.failingSince),
    consecutiveFailures: check.consecutiveFailures,
    skippedBeats: check.skippedBeats,
    note: check.note === undefined ? null : redact(check.note),
  };
}

/** Without a watchdog: the progress check as the lifecycle sees it, configured checks unknown. */
function fastLayerChecks(stream: StreamSupervisor, status: StreamStatus): CheckDto[] {
  const configured = stream.spec.checks;
  const progress = configured.find((check) => check.type === 'progress');
  const blank = { lastMessage: null, lastCheckedAt: null, failingSince: null, consecutiveFailures: 0, skippedBeats: 0, note: null };
  const builtIn: CheckDto = {
    ...blank,
    name: progress?.name ?? 'progress',
    type: 'progress',
    intervalSeconds: progress ? progress.intervalMs / 1_000 : null,
    timeoutSeconds: null,
    informational: progress?.informational ?? false,
    status: status.health === 'healthy' ? 'pass' : status.health === 'unhealthy' ? 'fail' : 'unknown',
    lastSuccessAt: isoOrNull(status.lastProgressAt),
  };
  const others = configured
    .filter((check) => check !== progress)
    .map(
      (check): CheckDto => ({
        ...blank,
        name: check.name,
        type: check.type,
        intervalSeconds: check.intervalMs / 1_000,
        timeoutSeconds: check.timeoutMs / 1_000,
        informational: check.informational,
        status: 'unknown',
        lastSuccessAt: null,
      }),
    );
  return [builtIn, ...others];
}

export function toRecoveryDto(record: RecoveryRecord, redact: Redactor): RecoveryDto {
  return {
    cause: record.cause,
    locus: record.locus,
    detail: redact(record.detail),
    action: record.action,
    actions: record.actions.map((action) => ({ type: action.type, reason: redact(action.reason), at: new Date(action.at).toISOString() })),
    failedAt: new Date(record.failedAt).toISOString(),
    detectedAt: new Date(record.detectedAt).toISOString(),
    detectedAfterSeconds: record.detectedAfterMs / 1_000,
    recoveredAt: isoOrNull(record.recoveredAt),
    recoveredAfterSeconds: record.recoveredAfterMs === undefined ? null : record.recoveredAfterMs / 1_000,
  };
}

export function toStreamDetailDto(stream: StreamSupervisor, now: number, redact: Redactor, watchdog?: WatchdogStreamView, engine?: string): StreamDetailDto {
  const status = stream.status();
  const runs = stream.runs();
  const current = runs.find((run) => run.endedAt === undefined);
  const input = watchdog?.input;
  return {
    ...toStreamDto(stream, redact, watchdog, engine),
    healthReason: redact(status.healthReason),
    spec: redactEntry(toStreamEntry(stream.spec, status.desired), redact),
    checks: watchdog === undefined ? fastLayerChecks(stream, status) : watchdog.checks.map((check) => toCheckDto(check, redact)),
    recoveries: (watchdog?.recoveries ?? []).map((record) => toRecoveryDto(record, redact)),
    input: input === undefined ? null : { mode: input.mode, active: input.active, count: input.count, switches: input.switches },
    currentRun: current ? toRunSummaryDto(current, now, redact) : null,
    recentRuns: runs
      .filter((run) => run !== current)
      .slice(0, RECENT_RUNS)
      .map((run) => toRunSummaryDto(run, now, redact)),
  };
}

export function toWatchdogStreamDto(stream: StreamSupervisor, redact: Redactor = identity, watchdog?: WatchdogStreamView): WatchdogStreamDto {
  const status = stream.status();
  const summary = recoverySummary(stream, watchdog);
  const report = watchdog?.report;
  const failing = report === undefined ? [] : [...report.failing, ...report.informational];
  return {
    id: status.id,
    state: status.state,
    desired: status.desired,
    health: status.health,
    healthReason: redact(status.healthReason),
    watchdog: watchdog !== undefined,
    consecutiveUnhealthy: summary.consecutiveUnhealthy,
    lastHealthyAt: isoOrNull(summary.lastHealthyAt),
    lastRecoveryAt: isoOrNull(summary.lastRecoveryAt),
    recoveryCount: summary.recoveryCount,
    checkIntervalSeconds: watchdog === undefined ? null : watchdog.checkIntervalMs / 1_000,
    stallTimeoutSeconds: stream.spec.stallTimeoutMs / 1_000,
    startTimeoutSeconds: stream.spec.startTimeoutMs / 1_000,
    failingChecks: failing.map((check) => ({
      name: check.name,
      type: check.type,
      informational: check.informational,
      message: redact(check.message),
      failingSince: isoOrNull(check.failingSince),
      consecutiveFailures: check.consecutiveFailures,
    })),
    degraded: (report?.degradation ?? []).map((breach) => breach.message),
    decision: watchdog === undefined ? null : redact(watchdog.decision),
    crashloopSince: isoOrNull(watchdog?.crashloopSince),
  };
}
