/** Runs history: one row per ffmpeg process lifetime. */
import type Database from 'better-sqlite3';
import { UnknownRunError, type RunEndInput, type RunEndReason, type RunStartInput, type StoredRun } from '../../../ports/store.js';
import { clampLimit, optional, toJson } from './json.js';

interface RunRow {
  id: number;
  stream: string;
  started_at: number;
  pid: number | null;
  spec_hash: string | null;
  ended_at: number | null;
  reason: string | null;
  exit_code: number | null;
  signal: string | null;
  last_error: string | null;
  first_lines_json: string | null;
  last_lines_json: string | null;
}

interface EndRow {
  id: number;
  ended_at: number;
  reason: string;
  exit_code: number | null;
  signal: string | null;
  last_error: string | null;
  first_lines_json: string;
  last_lines_json: string;
}

const lines = (text: string | null): string[] => (text === null ? [] : (JSON.parse(text) as string[]));

function toRun(row: RunRow): StoredRun {
  const end: RunEndInput | undefined =
    row.ended_at === null || row.reason === null
      ? undefined
      : {
          endedAt: row.ended_at,
          reason: row.reason as RunEndReason,
          exitCode: row.exit_code,
          signal: row.signal,
          ...optional('lastError', row.last_error),
          firstLines: lines(row.first_lines_json),
          lastLines: lines(row.last_lines_json),
        };
  return {
    runId: row.id,
    stream: row.stream,
    startedAt: row.started_at,
    ...optional('pid', row.pid),
    ...optional('specHash', row.spec_hash),
    ...(end && { end }),
  };
}

export class RunsTable {
  private readonly insert;
  private readonly finish;
  private readonly selectByStream;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[{ stream: string; started_at: number; pid: number | null; spec_hash: string | null }], { id: number }>(
      'INSERT INTO runs (stream, started_at, pid, spec_hash) VALUES (@stream, @started_at, @pid, @spec_hash) RETURNING id',
    );
    this.finish = db.prepare<[EndRow]>(
      `UPDATE runs SET ended_at = @ended_at, reason = @reason, exit_code = @exit_code, signal = @signal,
         last_error = @last_error, first_lines_json = @first_lines_json, last_lines_json = @last_lines_json
       WHERE id = @id`,
    );
    this.selectByStream = db.prepare<[string, number], RunRow>(
      'SELECT * FROM runs WHERE stream = ? ORDER BY started_at DESC, id DESC LIMIT ?',
    );
  }

  start(run: RunStartInput): number {
    const row = this.insert.get({ stream: run.stream, started_at: run.startedAt, pid: run.pid ?? null, spec_hash: run.specHash ?? null });
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row.id;
  }

  end(runId: number, end: RunEndInput): void {
    const result = this.finish.run({
      id: runId,
      ended_at: end.endedAt,
      reason: end.reason,
      exit_code: end.exitCode,
      signal: end.signal,
      last_error: end.lastError ?? null,
      first_lines_json: toJson(end.firstLines),
      last_lines_json: toJson(end.lastLines),
    });
    if (result.changes === 0) throw new UnknownRunError(runId);
  }

  list(stream: string, limit: number): StoredRun[] {
    return this.selectByStream.all(stream, clampLimit(limit)).map(toRun);
  }
}
