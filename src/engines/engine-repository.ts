/**
 * Where engine definitions and usage survive a daemon restart. The registry keeps the live state
 * in memory (acquire must be synchronous) and writes through this interface behind it.
 *
 * The daemon uses StoreEngineRepository (the `engines` table, migration 002); the in-memory one
 * serves tests and a daemon without a store.
 */
import type { EnginesRepository, StoredEngine, StoredEngineClaim } from '../ports/store.js';

export type StoredClaim = StoredEngineClaim;
export type EngineRecord = StoredEngine;

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

/**
 * The pool in the store. `store()` is read on every call: the daemon's store may open after the
 * registry was built. While there is none, writes are dropped with an error (the registry logs
 * it) — the pool keeps working from memory.
 */
export class StoreEngineRepository implements EngineRepository {
  constructor(private readonly store: () => EnginesRepository | undefined) {}

  load(): Promise<EngineRecord[]> {
    return this.store()?.listEngines() ?? Promise.resolve([]);
  }

  save(record: EngineRecord): Promise<void> {
    const store = this.store();
    return store ? store.putEngine(record) : Promise.reject(new Error('the store is unavailable; the engine is kept in memory only'));
  }

  async remove(id: string): Promise<void> {
    const store = this.store();
    if (!store) throw new Error('the store is unavailable; the engine is removed in memory only');
    await store.deleteEngine(id);
  }
}
