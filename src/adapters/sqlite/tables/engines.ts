/** The engine pool: one row per engine with its spec, usage and claims. */
import type Database from 'better-sqlite3';
import type { EngineSource, EngineSpec } from '../../../domain/engines/engine-spec.js';
import type { StoredEngine, StoredEngineClaim } from '../../../ports/store.js';
import { optional } from './json.js';

interface EngineRow {
  id: string;
  spec_json: string;
  source: string;
  added_at: number;
  last_stream_usage: number | null;
  claims_json: string;
  updated_at: number;
}

function toEngine(row: EngineRow): StoredEngine {
  return {
    spec: JSON.parse(row.spec_json) as EngineSpec,
    source: row.source as EngineSource,
    addedAt: row.added_at,
    ...optional('lastStreamUsage', row.last_stream_usage),
    claims: JSON.parse(row.claims_json) as StoredEngineClaim[],
  };
}

export class EnginesTable {
  private readonly upsert;
  private readonly remove;
  private readonly selectAll;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[EngineRow]>(
      `INSERT INTO engines (id, spec_json, source, added_at, last_stream_usage, claims_json, updated_at)
       VALUES (@id, @spec_json, @source, @added_at, @last_stream_usage, @claims_json, @updated_at)
       ON CONFLICT (id) DO UPDATE SET spec_json = excluded.spec_json, source = excluded.source,
         last_stream_usage = excluded.last_stream_usage, claims_json = excluded.claims_json, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare<[string]>('DELETE FROM engines WHERE id = ?');
    this.selectAll = db.prepare<[], EngineRow>('SELECT * FROM engines ORDER BY added_at, id');
  }

  /** `addedAt` is kept from the first insert: it orders the pool. */
  put(engine: StoredEngine, now: number): void {
    this.upsert.run({
      id: engine.spec.id,
      spec_json: JSON.stringify(engine.spec),
      source: engine.source,
      added_at: engine.addedAt,
      last_stream_usage: engine.lastStreamUsage ?? null,
      claims_json: JSON.stringify(engine.claims),
      updated_at: now,
    });
  }

  delete(id: string): boolean {
    return this.remove.run(id).changes > 0;
  }

  list(): StoredEngine[] {
    return this.selectAll.all().map(toEngine);
  }
}
