/**
 * Where a stream's failure is (failure-locus.ts), from the evidence the watchdog has: the run's
 * last error and error lines, how it ended, the failing checks and the degradation rules.
 */
import type { ObservedState } from '../domain/lifecycle.js';
import type { Redactor } from '../domain/redact.js';
import type { Endpoints } from '../domain/watchdog/endpoint-match.js';
import { classifyFailure, type FailureClassification } from '../domain/watchdog/failure-locus.js';
import { checkUrl } from '../domain/watchdog/stream-endpoints.js';
import type { StreamHealthReport } from '../domain/watchdog/stream-health.js';
import type { RunFinished } from '../events/stream-events.js';
import type { SupervisedStream } from '../ports/supervised-stream.js';
import type { RunningCheck } from './check-set.js';
import type { ClassifiedFailure } from './recovery-records.js';

/** Lines that may carry evidence of where a failure is (the others only name endpoints). */
const ERROR_LINE = /error|fail|refused|denied|invalid|not found|no such|timed out|timeout|already publishing|broken pipe|cannot|could not|unable|not permitted|reset by peer/i;

const errorLines = (lines: readonly string[], redact: Redactor): string[] => lines.filter((line) => ERROR_LINE.test(line)).map(redact);

/** A run that ended on its own: its last error and lines, and how it ended. */
export function classifyRunEnd(event: RunFinished, lines: readonly string[], endpoints: Endpoints, redact: Redactor): FailureClassification {
  return classifyFailure({
    endpoints,
    ...(event.lastError !== undefined && { lastError: redact(event.lastError) }),
    recentLines: errorLines(lines, redact),
    exit: { reason: event.reason, signal: event.signal },
  });
}

export interface FailureNow {
  readonly stream: SupervisedStream;
  readonly checks: readonly RunningCheck[];
  readonly endpoints: Endpoints;
  readonly redact: Redactor;
}

/** Where the failure is and when it began, from what is known now (at detection). */
export function classifyNow(known: FailureNow, report: StreamHealthReport, observed: ObservedState, now: number): ClassifiedFailure {
  const { stream, checks, redact } = known;
  const running = observed === 'running' || observed === 'starting';
  const runs = stream.runs();
  const run = running ? runs.find((r) => r.endedAt === undefined) : runs.find((r) => r.endedAt !== undefined);
  const lastError = run?.lastError;
  const failingChecks = checks.filter((check) => check.state.status === 'failing');
  const rtmpCheck = checks.find((check) => check.spec.type === 'rtmp-server' && check.state.lastOk === false);
  const classification = classifyFailure({
    endpoints: known.endpoints,
    ...(lastError !== undefined && { lastError: redact(lastError) }),
    recentLines: errorLines((run?.lastLines ?? []).slice(-50), redact),
    ...(!running && run?.reason !== undefined && { exit: { reason: run.reason, signal: run.signal ?? null } }),
    failedChecks: report.failing.map((failing) => {
      const spec = checks.find((check) => check.spec.name === failing.name)?.spec;
      const url = spec === undefined ? undefined : checkUrl(spec);
      return { type: failing.type, name: failing.name, message: failing.message, ...(url !== undefined && { url: redact(url) }) };
    }),
    degradation: report.degradation.map((breach) => breach.rule),
    ...(rtmpCheck?.state.lastMessage?.startsWith('not published') === true && { rtmpServer: { publishing: false } }),
  });
  const streaks = failingChecks.map((check) => check.state.failureStreakSince).filter((at): at is number => at !== undefined);
  const restarts = stream.recentRestarts();
  const failedAt = observed === 'crashloop' && restarts.length > 0 ? Math.min(...restarts) : streaks.length > 0 ? Math.min(...streaks) : now;
  return { classification, failedAt };
}
