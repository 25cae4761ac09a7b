/**
 * Where engine definitions and usage survive a daemon restart. The registry keeps the live state
 * in memory (acquire must be synchronous) and writes through this interface behind it.
 *
 * A store-backed implementation would add one table (migration 00N-engines):
 *   engines(id TEXT PRIMARY KEY, spec_json TEXT NOT NULL, source TEXT NOT NULL CHECK (source IN ('config','api')),
 *           last_stream_usage INTEGER NULL, claims_json TEXT NOT NULL DEFAULT '[]', created_at INTEGER, updated_at INTEGER)
 * (claims as JSON: a handful per engine, always read and written with the engine).
 */
import type { EngineSource, EngineSpec } from '../domain/engines/engine-spec.js';

export interface StoredClaim {
  readonly claimId: string;
  readonly stream?: string;
  readonly at: number;
}

export interface EngineRecord {
  readonly spec: EngineSpec;
  readonly source: EngineSource;
  readonly addedAt: number;
  readonly lastStreamUsage?: number;
  readonly claims: readonly StoredClaim[];
}

export interface EngineRepository {
  load(): Promise<EngineRecord[]>;
  /** Insert or replace by `spec.id`. */
  save(record: EngineRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

export class InMemoryEngineRepository implements EngineRepository {
  private readonly records = new Map<string, EngineRecord>();

  load(): Promise<EngineRecord[]> {
    return Promise.resolve([...this.records.values()]);
  }

  save(record: EngineRecord): Promise<void> {
    this.records.set(record.spec.id, record);
    return Promise.resolve();
  }

  remove(id: string): Promise<void> {
    this.records.delete(id);
    return Promise.resolve();
  }
}
