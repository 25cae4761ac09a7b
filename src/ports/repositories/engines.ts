/** The engine pool, stored whole (spec, source, usage and claims in one write). */
import type { EngineSource, EngineSpec } from '../../domain/engines/engine-spec.js';

/** One taken slot of an engine; `stream` names the user when it is a stream. */
export interface StoredEngineClaim {
  readonly claimId: string;
  readonly stream?: string;
  /** Held by the daemon's own supervision of `stream` (released when it stops), not by an API client. */
  readonly supervised?: boolean;
  readonly at: number;
}

/** An engine of the pool with its usage; health is not stored (it is re-learned by polling). */
export interface StoredEngine {
  readonly spec: EngineSpec;
  readonly source: EngineSource;
  readonly addedAt: number;
  readonly lastStreamUsage?: number;
  readonly claims: readonly StoredEngineClaim[];
}

export interface EnginesRepository {
  /** Inserts or replaces by `spec.id` (`addedAt` of an existing engine is kept). */
  putEngine(engine: StoredEngine): Promise<void>;
  /** False when there was no such engine. */
  deleteEngine(id: string): Promise<boolean>;
  /** Ordered by `addedAt`, then id. */
  listEngines(): Promise<StoredEngine[]>;
}
