/**
 * The public shapes of streams, runs and checks in the API (DESIGN.md §4.3). Never carry a
 * secret: every text that may hold one passes through the redactor, and the routes' response
 * schemas only serialise the fields declared here. Times are ISO 8601 strings; unknown is null.
 */
import { lifecycleHealth, type Health } from '../domain/health.js';
import type { Redactor } from '../domain/redact.js';
import type { StreamStatus, StreamSupervisor, RunRecord } from '../supervisor/stream-supervisor.js';
import { redactEntry, toStreamEntry, type StreamEntry } from './stream-entry.js';

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
  /** Null for the built-in progress check, which ffmpeg's own progress reports drive. */
  intervalSeconds: number | null;
  timeoutSeconds: number | null;
  informational: boolean;
  /** `unknown` until the check has a result (configured checks run in the watchdog layer). */
  status: CheckStatus;
  lastSuccessAt: string | null;
}

export interface StreamDetailDto extends StreamDto {
  /** The spec as a config-file stream entry, secrets masked (see stream-entry.ts). */
  spec: StreamEntry;
  checks: CheckDto[];
  currentRun: RunSummaryDto | null;
  recentRuns: RunSummaryDto[];
}

export interface WatchdogStreamDto {
  id: string;
  state: string;
  desired: string;
  health: Health;
  /** Automatic restarts since the stream was last healthy (fast layer). */
  consecutiveUnhealthy: number;
  lastHealthyAt: string | null;
  lastRecoveryAt: string | null;
  recoveryCount: number;
  /** Null until periodic checks run (the watchdog layer); the fast layer judges each progress report. */
  checkIntervalSeconds: number | null;
  stallTimeoutSeconds: number;
  startTimeoutSeconds: number;
}

export interface WatchdogStatusDto {
  generatedAt: string;
  streams: WatchdogStreamDto[];
}

/** Recent finished runs shown with a stream. */
const RECENT_RUNS = 5;

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

const identity: Redactor = (text) => text;

export function toStreamDto(status: StreamStatus, redact: Redactor = identity): StreamDto {
  const p = status.progress;
  return {
    id: status.id,
    name: redact(status.name),
    desired: status.desired,
    state: status.state,
    health: lifecycleHealth(status.state),
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
  };
}

export function toRunSummaryDto(run: RunRecord, now: number, redact: Redactor): RunSummaryDto {
  return {
    runId: run.runId,
    pid: run.pid ?? null,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: iso(run.endedAt),
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

function progressCheckStatus(health: Health): CheckStatus {
  if (health === 'healthy') return 'pass';
  if (health === 'unhealthy') return 'fail';
  return 'unknown';
}

/** The built-in progress check first, then the configured checks. */
function checksOf(stream: StreamSupervisor, status: StreamStatus): CheckDto[] {
  const configured = stream.spec.checks;
  const progress = configured.find((check) => check.type === 'progress');
  const builtIn: CheckDto = {
    name: progress?.name ?? 'progress',
    type: 'progress',
    intervalSeconds: progress ? progress.intervalMs / 1_000 : null,
    timeoutSeconds: progress ? progress.timeoutMs / 1_000 : null,
    informational: progress?.informational ?? false,
    status: progressCheckStatus(lifecycleHealth(status.state)),
    lastSuccessAt: iso(status.lastProgressAt),
  };
  const others = configured
    .filter((check) => check !== progress)
    .map(
      (check): CheckDto => ({
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

export function toStreamDetailDto(stream: StreamSupervisor, now: number, redact: Redactor): StreamDetailDto {
  const status = stream.status();
  const runs = stream.runs();
  const current = runs.find((run) => run.endedAt === undefined);
  return {
    ...toStreamDto(status, redact),
    spec: redactEntry(toStreamEntry(stream.spec, status.desired), redact),
    checks: checksOf(stream, status),
    currentRun: current ? toRunSummaryDto(current, now, redact) : null,
    recentRuns: runs
      .filter((run) => run !== current)
      .slice(0, RECENT_RUNS)
      .map((run) => toRunSummaryDto(run, now, redact)),
  };
}

export function toWatchdogStreamDto(stream: StreamSupervisor): WatchdogStreamDto {
  const status = stream.status();
  const stats = stream.recoveryStats();
  return {
    id: status.id,
    state: status.state,
    desired: status.desired,
    health: lifecycleHealth(status.state),
    consecutiveUnhealthy: stats.consecutiveUnhealthy,
    lastHealthyAt: iso(stats.lastHealthyAt),
    lastRecoveryAt: iso(stats.lastRecoveryAt),
    recoveryCount: stats.recoveries,
    checkIntervalSeconds: null,
    stallTimeoutSeconds: stream.spec.stallTimeoutMs / 1_000,
    startTimeoutSeconds: stream.spec.startTimeoutMs / 1_000,
  };
}
