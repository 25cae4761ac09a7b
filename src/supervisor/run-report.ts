/**
 * How a finished run is reported once the lifecycle has judged it: to the run registry, in the
 * log, and as the `run-finished` event. Pure shapes; the supervisor sends them.
 */
import type { RunEnded } from '../domain/lifecycle.js';
import type { RunFinished } from '../events/stream-events.js';
import type { RunOutcome } from '../ports/run-registry.js';
import type { RunRecord } from '../ports/supervised-stream.js';

/** The registry's record of the run's end. */
export function registryOutcome(record: RunRecord, ended: RunEnded, endedAt: number): RunOutcome {
  return {
    endedAt,
    reason: ended.reason,
    exitCode: record.exitCode ?? null,
    signal: record.signal ?? null,
    ...(record.lastError === undefined ? {} : { lastError: record.lastError }),
    firstLines: record.firstLines,
    lastLines: record.lastLines,
  };
}

/** An end we asked for (stop, restart) is news; any other is a warning. */
export function isExpectedEnd(ended: RunEnded): boolean {
  return ended.reason === 'stopped' || ended.reason === 'restarted';
}

export function exitLogFields(record: RunRecord, ended: RunEnded): object {
  return {
    runId: record.runId,
    pid: record.pid,
    reason: ended.reason,
    code: record.exitCode,
    signal: record.signal,
    lastError: record.lastError,
    next: ended.next,
    restartDelayMs: ended.restartDelayMs,
  };
}

export function runFinished(streamId: string, record: RunRecord, ended: RunEnded, endedAt: number): RunFinished {
  return {
    streamId,
    runId: record.runId,
    pid: record.pid,
    reason: ended.reason,
    exitCode: record.exitCode ?? null,
    signal: record.signal ?? null,
    lastError: record.lastError,
    durationMs: endedAt - record.startedAt,
    next: ended.next,
    restartDelayMs: ended.restartDelayMs,
    restartsInWindow: ended.restartsInWindow,
    countsAsRestart: ended.countsAsRestart,
    progress: record.progress,
    at: endedAt,
  };
}
