/** The runtime registry: one entry per stream whose process the daemon may re-attach to. */
import type Database from 'better-sqlite3';
import type { RuntimeEntry, RuntimePaths } from '../../../ports/store.js';
import { optional, toJson } from './json.js';

interface RuntimeRow {
  stream: string;
  run_id: number;
  pid: number;
  pgid: number;
  start_ticks: number;
  boot_id: string;
  spec_hash: string;
  cmdline_hash: string | null;
  paths_json: string;
  started_at: number;
}

const COLUMNS = 'stream, run_id, pid, pgid, start_ticks, boot_id, spec_hash, cmdline_hash, paths_json, started_at';

function toEntry(row: RuntimeRow): RuntimeEntry {
  return {
    stream: row.stream,
    runId: row.run_id,
    pid: row.pid,
    pgid: row.pgid,
    startTicks: row.start_ticks,
    bootId: row.boot_id,
    specHash: row.spec_hash,
    ...optional('cmdlineHash', row.cmdline_hash),
    paths: JSON.parse(row.paths_json) as RuntimePaths,
    startedAt: row.started_at,
  };
}

export class RuntimeTable {
  private readonly upsert;
  private readonly remove;
  private readonly selectAll;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[RuntimeRow]>(
      `INSERT INTO runtime (${COLUMNS})
       VALUES (@stream, @run_id, @pid, @pgid, @start_ticks, @boot_id, @spec_hash, @cmdline_hash, @paths_json, @started_at)
       ON CONFLICT (stream) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, pgid = excluded.pgid,
         start_ticks = excluded.start_ticks, boot_id = excluded.boot_id, spec_hash = excluded.spec_hash,
         cmdline_hash = excluded.cmdline_hash, paths_json = excluded.paths_json, started_at = excluded.started_at`,
    );
    this.remove = db.prepare<[{ stream: string; pid: number | null }]>(
      'DELETE FROM runtime WHERE stream = @stream AND (@pid IS NULL OR pid = @pid)',
    );
    this.selectAll = db.prepare<[], RuntimeRow>(`SELECT ${COLUMNS} FROM runtime ORDER BY stream`);
  }

  put(entry: RuntimeEntry): void {
    this.upsert.run({
      stream: entry.stream,
      run_id: entry.runId,
      pid: entry.pid,
      pgid: entry.pgid,
      start_ticks: entry.startTicks,
      boot_id: entry.bootId,
      spec_hash: entry.specHash,
      cmdline_hash: entry.cmdlineHash ?? null,
      paths_json: toJson(entry.paths),
      started_at: entry.startedAt,
    });
  }

  clear(stream: string, pid?: number): void {
    this.remove.run({ stream, pid: pid ?? null });
  }

  list(): RuntimeEntry[] {
    return this.selectAll.all().map(toEntry);
  }
}
