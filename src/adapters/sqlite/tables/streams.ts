/** Stream specs, desired state, owner and generation. */
import type Database from 'better-sqlite3';
import { canonicalJson } from '../../../domain/canonical-json.js';
import { UnknownStreamError } from '../../../domain/errors.js';
import type { DesiredState, StreamSpec } from '../../../domain/stream-spec.js';
import type { Clock } from '../../../ports/clock.js';
import {
  StreamOwnedError,
  type OwnerGuard,
  type PutStreamInput,
  type PutStreamResult,
  type StoredStream,
  type StreamOwner,
} from '../../../ports/store.js';

interface StreamRow {
  id: string;
  spec_json: string;
  desired: string;
  owner: string;
  generation: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, spec_json, desired, owner, generation, created_at, updated_at';

/** The spec without `desired`, canonical: desired lives in its own column and is not part of "the spec changed". */
function specText(spec: StreamSpec): string {
  const { desired: _desired, ...rest } = spec;
  return canonicalJson(rest);
}

function toStream(row: StreamRow): StoredStream {
  const desired = row.desired as DesiredState;
  const rest = JSON.parse(row.spec_json) as Omit<StreamSpec, 'desired'>;
  return {
    id: row.id,
    spec: { ...rest, desired },
    desired,
    owner: row.owner as StreamOwner,
    generation: row.generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class StreamsTable {
  private readonly selectOne;
  private readonly selectAll;
  private readonly insert;
  private readonly updateSpec;
  private readonly updateDesired;
  private readonly remove;
  private readonly bumpGeneration;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.selectOne = db.prepare<[string], StreamRow>(`SELECT ${COLUMNS} FROM streams WHERE id = ?`);
    this.selectAll = db.prepare<[], StreamRow>(`SELECT ${COLUMNS} FROM streams ORDER BY id`);
    this.insert = db.prepare<[StreamRow]>(
      `INSERT INTO streams (${COLUMNS}) VALUES (@id, @spec_json, @desired, @owner, @generation, @created_at, @updated_at)`,
    );
    this.updateSpec = db.prepare<[{ id: string; spec_json: string; generation: number; updated_at: number }]>(
      'UPDATE streams SET spec_json = @spec_json, generation = @generation, updated_at = @updated_at WHERE id = @id',
    );
    this.updateDesired = db.prepare<[{ id: string; desired: string; generation: number; updated_at: number }]>(
      'UPDATE streams SET desired = @desired, generation = @generation, updated_at = @updated_at WHERE id = @id',
    );
    this.remove = db.prepare<[string]>('DELETE FROM streams WHERE id = ?');
    this.bumpGeneration = db.prepare<[], { value: number }>(
      "UPDATE store_meta SET value = value + 1 WHERE key = 'generation' RETURNING value",
    );
  }

  get(id: string): StoredStream | undefined {
    const row = this.selectOne.get(id);
    return row && toStream(row);
  }

  list(): StoredStream[] {
    return this.selectAll.all().map(toStream);
  }

  put(input: PutStreamInput): PutStreamResult {
    return this.db
      .transaction((): PutStreamResult => {
        const { spec, owner } = input;
        const existing = this.selectOne.get(spec.id);
        const spec_json = specText(spec);
        const now = this.clock.now();
        if (!existing) {
          const row: StreamRow = {
            id: spec.id,
            spec_json,
            desired: spec.desired,
            owner,
            generation: this.nextGeneration(),
            created_at: now,
            updated_at: now,
          };
          this.insert.run(row);
          return { stream: toStream(row), change: 'created' };
        }
        this.guard(existing, { owner });
        // Compared in canonical form, so text written by an older version or a migration still matches.
        if (canonicalJson(JSON.parse(existing.spec_json)) === spec_json) return { stream: toStream(existing), change: 'unchanged' };
        const row = { ...existing, spec_json, generation: this.nextGeneration(), updated_at: now };
        this.updateSpec.run(row);
        return { stream: toStream(row), change: 'updated' };
      })
      .immediate();
  }

  setDesired(id: string, desired: DesiredState, guard: OwnerGuard = {}): StoredStream {
    return this.db
      .transaction((): StoredStream => {
        const existing = this.selectOne.get(id);
        if (!existing) throw new UnknownStreamError(id);
        this.guard(existing, guard);
        if (existing.desired === desired) return toStream(existing);
        const row = { ...existing, desired, generation: this.nextGeneration(), updated_at: this.clock.now() };
        this.updateDesired.run(row);
        return toStream(row);
      })
      .immediate();
  }

  delete(id: string, guard: OwnerGuard = {}): boolean {
    return this.db
      .transaction((): boolean => {
        const existing = this.selectOne.get(id);
        if (!existing) return false;
        this.guard(existing, guard);
        return this.remove.run(id).changes > 0;
      })
      .immediate();
  }

  private guard(row: StreamRow, guard: OwnerGuard): void {
    if (guard.owner !== undefined && row.owner !== guard.owner) {
      throw new StreamOwnedError(row.id, row.owner as StreamOwner, guard.owner);
    }
  }

  private nextGeneration(): number {
    const row = this.bumpGeneration.get();
    if (!row) throw new Error('store_meta has no generation row');
    return row.value;
  }
}
