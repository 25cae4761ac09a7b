/**
 * The run a stream has now: its record, its process handle and what its output told so far
 * (progress, stderr). Helpers build, feed and close it; the supervisor decides when.
 */
import { ProgressParser } from '../domain/progress.js';
import { ProgressTracker } from '../domain/progress-tracker.js';
import { StderrLog } from '../domain/stderr-log.js';
import type { ChildProcessHandle, ProcessExit } from '../ports/process-runner.js';
import type { RunRecord } from '../ports/supervised-stream.js';
import { BlockResync } from './block-resync.js';

export interface ActiveRun {
  readonly record: RunRecord;
  handle: ChildProcessHandle | undefined;
  readonly parser: ProgressParser;
  readonly tracker: ProgressTracker;
  readonly stderr: StderrLog;
  lastProgressAt?: number;
  /** Set for an adopted run until its output is back on a block boundary. */
  readonly resync?: BlockResync;
  /** The registry was told of this run (runStarted, or it is an adopted stored entry). */
  registered: boolean;
}

/**
 * A run before its process reports: no output yet. An adopted run (`adopted`) has its pid, is
 * known to the registry already, and joins its output mid-stream (resync).
 */
export function newRun(runId: number, startedAt: number, redact: (text: string) => string, adopted?: { readonly pid: number }): ActiveRun {
  return {
    record: { runId, pid: adopted?.pid, startedAt, firstLines: [], lastLines: [] },
    handle: undefined,
    parser: new ProgressParser(),
    tracker: new ProgressTracker(),
    stderr: new StderrLog(redact),
    ...(adopted ? { resync: new BlockResync() } : {}),
    registered: adopted !== undefined,
  };
}

/** Feeds a progress chunk; true when a block advanced the counters (then stamped `now`). */
export function feedProgress(run: ActiveRun, chunk: string, now: number): boolean {
  const text = run.resync ? run.resync.accept(chunk) : chunk;
  if (text === '') return false;
  let advanced = false;
  for (const block of run.parser.feed(text)) {
    if (run.tracker.update(block, now).advanced) advanced = true;
  }
  if (advanced) run.lastProgressAt = now;
  return advanced;
}

/** The run's record with its output so far. */
export function snapshotRecord(run: ActiveRun): RunRecord {
  return { ...run.record, firstLines: run.stderr.firstLines(), lastLines: run.stderr.lastLines(), lastError: run.stderr.lastError() };
}

/** The record of a run whose process has exited at `now` (its reason follows from the lifecycle). */
export function endedRecord(run: ActiveRun, exit: ProcessExit, now: number, redact: (text: string) => string): RunRecord {
  run.stderr.end();
  const record = snapshotRecord(run);
  record.endedAt = now;
  record.exitCode = exit.code;
  record.signal = exit.signal;
  record.progress = run.tracker.snapshot();
  record.lastError = exit.spawnError ? redact(exit.spawnError.message) : run.stderr.lastError();
  return record;
}
