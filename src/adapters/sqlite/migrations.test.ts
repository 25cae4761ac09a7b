/**
 * Migrations: from an empty file, and from every earlier schema version with representative data
 * that must survive the upgrade. Adding migration NNN means adding a FIXTURES entry for version
 * NNN (its data, written with that version's SQL) and its checksum to SHIPPED; the loops below
 * then test every upgrade path to the new latest version.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { spec, T0 } from '../../../test/contract/store-fixtures.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import type { StreamSpec } from '../../domain/stream-spec.js';
import { StoreSchemaError, type Store } from '../../ports/store.js';
import { checkMigrationList, migrate, schemaVersion } from './migrate.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import { migration001 } from './migrations/001-initial.js';
import { openDatabase } from './open-database.js';
import { openSqliteStore } from './sqlite-store.js';

/** sha256 of each shipped migration's SQL: a shipped migration is never edited. */
const SHIPPED: Readonly<Record<number, string>> = {
  1: 'c20a60501d569d48b4fb85aecd08fb92bea209a6e0af74e1ab9e2a827c4cc9fd',
  2: 'd30872dfede26e0fca3c4d4a03495c55630e896f7453aab91980217cbe26b35e',
};

interface VersionFixture {
  /** Writes representative rows with the SQL of this schema version. */
  seed(db: Database.Database): void;
  /** Reads them back through the Store at the latest version. */
  verify(store: Store): Promise<void>;
}

const SPEC_V1 = {
  id: 'cam1',
  name: 'Camera 1',
  source: { kind: 'args', args: ['-i', 'in.mp4', '-f', 'flv', 'rtmp://127.0.0.1/live/key'] },
  restart: {
    backoffInitialMs: 1000,
    backoffMaxMs: 60000,
    backoffMultiplier: 2,
    jitter: 0.2,
    resetAfterMs: 600000,
    budget: { restarts: 5, withinMs: 300000 },
  },
  stop: { interruptGraceMs: 5000, terminateGraceMs: 5000 },
  startTimeoutMs: 30000,
  stallTimeoutMs: 10000,
  checks: [],
  onUnhealthy: ['restart'],
  notify: [],
};

const ENGINE_SPEC_V2 = { id: 'ace-1', host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 2, labels: { region: 'eu' } };

const FIXTURE_V1: VersionFixture = {
    seed(db) {
      db.exec(`
        UPDATE store_meta SET value = 7 WHERE key = 'generation';
        INSERT INTO streams VALUES ('cam1', '${JSON.stringify(SPEC_V1)}', 'stopped', 'controller', 7, ${T0}, ${T0 + 1});
        INSERT INTO runs (id, stream, started_at, pid, spec_hash, ended_at, reason, exit_code, signal, last_error,
            first_lines_json, last_lines_json)
          VALUES (3, 'cam1', ${T0}, 41, 'h1', ${T0 + 5000}, 'stalled', NULL, 'SIGKILL', 'no progress', '["a"]', '["b"]'),
                 (4, 'cam1', ${T0 + 6000}, 42, 'h1', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        INSERT INTO runtime VALUES ('cam1', 4, 42, 42, 9999, 'boot-1', 'h1', NULL,
          '{"dir":"/run/sw/cam1","progressPipe":"/run/sw/cam1/p","stderrPipe":"/run/sw/cam1/e"}', ${T0 + 6000});
        INSERT INTO recoveries (stream, cause, locus, action, detail, actions_json, failed_at, detected_at, detected_after_ms,
            recovered_at, recovered_after_ms)
          VALUES ('cam1', 'stalled', 'unknown', 'restart', 'no progress', '[]', ${T0}, ${T0 + 5000}, 5000, NULL, NULL);
        INSERT INTO events (id, at, type, stream, payload_json) VALUES (10, ${T0}, 'state', 'cam1', '{"to":"running"}');
        INSERT INTO alerts VALUES ('stream-down:cam1', 'firing', ${T0}, NULL, 'cam1', '{"severity":"critical"}');
        INSERT INTO notifications (id, notifier, stream, payload_json, attempts, next_attempt_at, status, last_error,
            created_at, updated_at)
          VALUES (5, 'slack', 'cam1', '{"text":"down"}', 2, ${T0 + 60000}, 'pending', 'HTTP 502', ${T0}, ${T0 + 1000});
      `);
    },
    async verify(store) {
      expect(await store.getStream('cam1')).toEqual({
        id: 'cam1',
        spec: { ...SPEC_V1, desired: 'stopped' },
        desired: 'stopped',
        owner: 'controller',
        generation: 7,
        createdAt: T0,
        updatedAt: T0 + 1,
      });
      const same = { ...SPEC_V1, desired: 'running' } as StreamSpec;
      expect((await store.putStream({ spec: same, owner: 'controller' })).change).toBe('unchanged');
      expect((await store.setDesired('cam1', 'running')).generation).toBe(8);
      expect((await store.listRuns('cam1', 10)).map((r) => [r.runId, r.end?.reason])).toEqual([[4, undefined], [3, 'stalled']]);
      expect(await store.listRuntime()).toMatchObject([
        { stream: 'cam1', runId: 4, pid: 42, startTicks: 9999, bootId: 'boot-1', paths: { dir: '/run/sw/cam1' } },
      ]);
      expect(await store.listRecoveries({ limit: 10 })).toMatchObject([{ stream: 'cam1', cause: 'stalled', detectedAfterMs: 5000 }]);
      expect(await store.listEvents(0, 10)).toEqual([{ id: 10, at: T0, type: 'state', stream: 'cam1', payload: { to: 'running' } }]);
      expect(await store.appendEvent({ at: T0, type: 'state', payload: {} })).toBe(11);
      expect(await store.getAlert('stream-down:cam1')).toMatchObject({ status: 'firing', payload: { severity: 'critical' } });
      expect(await store.dueNotifications(T0 + 60000, 10)).toMatchObject([{ id: 5, attempts: 2, lastError: 'HTTP 502' }]);
    },
};

const FIXTURES: Readonly<Record<number, VersionFixture>> = {
  1: FIXTURE_V1,
  2: {
    seed(db) {
      FIXTURE_V1.seed(db);
      db.exec(`
        INSERT INTO engines (id, spec_json, source, added_at, last_stream_usage, claims_json, updated_at)
          VALUES ('ace-1', '${JSON.stringify(ENGINE_SPEC_V2)}', 'api', ${T0}, ${T0 + 500}, '[{"claimId":"c1","stream":"cam1","at":${T0 + 500}}]', ${T0 + 500});
      `);
    },
    async verify(store) {
      await FIXTURE_V1.verify(store);
      expect(await store.listEngines()).toEqual([
        { spec: ENGINE_SPEC_V2, source: 'api', addedAt: T0, lastStreamUsage: T0 + 500, claims: [{ claimId: 'c1', stream: 'cam1', at: T0 + 500 }] },
      ]);
    },
  },
};

const dirs: string[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-migrate-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}
const clock = new FakeClock(T0);

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the migration list', () => {
  it('is numbered 1..N, and every shipped migration is pinned and unchanged', () => {
    expect(() => checkMigrationList(MIGRATIONS)).not.toThrow();
    for (const migration of MIGRATIONS) {
      expect(createHash('sha256').update(migration.sql).digest('hex'), `migration ${migration.version} was edited or is not pinned`).toBe(
        SHIPPED[migration.version],
      );
      expect(FIXTURES[migration.version], `migration ${migration.version} has no fixture`).toBeDefined();
    }
  });

  it('refuses a list with a gap', () => {
    expect(() => checkMigrationList([migration001, { version: 3, name: 'gap', sql: '' }])).toThrow(/expected 2/);
  });
});

describe('migrating', () => {
  it('brings an empty file to the latest version', async () => {
    const path = tempPath();
    writeFileSync(path, '');
    const store = await openSqliteStore({ path, clock });
    expect(store.migration).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    await expect(store.putStream({ spec: spec('cam1'), owner: 'file' })).resolves.toMatchObject({ change: 'created' });
    await store.close();
    const again = await openSqliteStore({ path, clock });
    expect(again.migration).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
    await again.close();
  });

  for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++) {
    it(`upgrades a version ${version} database with its data intact`, async () => {
      const path = tempPath();
      const db = openDatabase({ path });
      migrate(db, MIGRATIONS, version);
      expect(schemaVersion(db)).toBe(version);
      FIXTURES[version]?.seed(db);
      db.close();
      const store = await openSqliteStore({ path, clock });
      try {
        expect(store.migration).toEqual({ from: version, to: LATEST_SCHEMA_VERSION });
        await FIXTURES[version]?.verify(store);
      } finally {
        await store.close();
      }
    });
  }

  it('rolls a failing migration back completely and stays at the last good version', () => {
    const db = openDatabase({ path: tempPath() });
    const broken = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO missing VALUES (1);',
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/missing/);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()).toEqual([]);
    db.close();
  });

  it('refuses a database newer than this build', async () => {
    const path = tempPath();
    const db = openDatabase({ path });
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openSqliteStore({ path, clock })).rejects.toBeInstanceOf(StoreSchemaError);
  });
});
