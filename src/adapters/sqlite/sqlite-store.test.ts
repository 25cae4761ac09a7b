import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runStoreContract } from '../../../test/contract/store-contract.js';
import { spec, T0 } from '../../../test/contract/store-fixtures.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { StoreUnavailableError } from '../../ports/store.js';
import { LATEST_SCHEMA_VERSION } from './migrations/index.js';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-store-'));
  dirs.push(dir);
  return dir;
}

async function open(path: string, options: Partial<SqliteStoreOptions> = {}): Promise<SqliteStore> {
  const store = await openSqliteStore({ path, clock: new FakeClock(T0), ...options });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-contract-'));
  const store = await openSqliteStore({ path: join(dir, 'state.db'), clock: new FakeClock(T0) });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/**
 * Runs `step` as an unprivileged user when we are root (root ignores file modes), so that a 0400
 * file really is read-only. `seteuid` is reversible because the saved user id stays 0.
 */
async function unprivileged<T>(paths: readonly string[], step: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return step();
  const nobody = 65_534;
  for (const path of paths) chownSync(path, nobody, nobody);
  process.seteuid?.(nobody);
  try {
    return await step();
  } finally {
    process.seteuid?.(0);
  }
}
const rootCannotDrop = process.geteuid?.() === 0 && typeof process.seteuid !== 'function';

describe('SQLite store: the file', () => {
  it('creates the folder 0700 and the file 0600', async () => {
    const dir = join(tempDir(), 'state', 'nested');
    const path = join(dir, 'streamwarden.db');
    await open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('takes group and other permissions away from an existing file', async () => {
    const path = join(tempDir(), 'state.db');
    writeFileSync(path, '', { mode: 0o644 });
    chmodSync(path, 0o644);
    await open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('uses WAL and keeps committed writes across close and reopen', async () => {
    const path = join(tempDir(), 'state.db');
    const first = await open(path);
    await first.putStream({ spec: spec('cam1'), owner: 'file' });
    await first.setDesired('cam1', 'stopped');
    await first.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const second = await open(path);
    expect(second.migration).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
    expect(await second.getStream('cam1')).toMatchObject({ desired: 'stopped', owner: 'file' });
  });

  it('has every commit visible to a new connection without a close (as after kill -9)', async () => {
    const path = join(tempDir(), 'state.db');
    const crashed = await open(path);
    const runId = await crashed.recordRunStart({ stream: 'cam1', startedAt: T0, pid: 77 });
    const survivor = await open(path);
    expect((await survivor.listRuns('cam1', 1))[0]?.runId).toBe(runId);
  });
});

describe('SQLite store: trouble is reported, not a crash', () => {
  it.skipIf(rootCannotDrop)('opens a read-only file, reads it, and rejects writes with SQLITE_READONLY', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    const writer = await open(path);
    await writer.putStream({ spec: spec('cam1'), owner: 'api' });
    await writer.close();
    chmodSync(path, 0o400);
    await unprivileged([dir, path], async () => {
      const store = await open(path);
      expect(await store.getStream('cam1')).toMatchObject({ owner: 'api' });
      const write = store.putStream({ spec: spec('cam2'), owner: 'api' });
      await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(write).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', reason: 'read-only' });
      await expect(store.checkWritable()).rejects.toMatchObject({ driverCode: expect.stringMatching(/^SQLITE_READONLY/) as unknown });
      await store.close();
    });
  });

  it('reports a full store as SQLITE_FULL and keeps reading', async () => {
    const store = await open(join(tempDir(), 'state.db'), { maxBytes: 256 * 1024 });
    const big = 'x'.repeat(16 * 1024);
    let failure: unknown;
    for (let i = 0; i < 64 && failure === undefined; i++) {
      await store.appendEvent({ at: T0 + i, type: 'log', payload: big }).catch((error: unknown) => {
        failure = error;
      });
    }
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ reason: 'full', driverCode: 'SQLITE_FULL' });
    expect((await store.listEvents(0, 1)).length).toBe(1);
  });

  it('reports a write lock held elsewhere as SQLITE_BUSY, then works once it is released', async () => {
    const path = join(tempDir(), 'state.db');
    const store = await open(path, { busyTimeoutMs: 0 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const write = store.putStream({ spec: spec('cam1'), owner: 'api' });
      await expect(write).rejects.toMatchObject({ reason: 'locked', driverCode: 'SQLITE_BUSY' });
      await expect(store.checkWritable()).rejects.toBeInstanceOf(StoreUnavailableError);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    await expect(store.putStream({ spec: spec('cam1'), owner: 'api' })).resolves.toMatchObject({ change: 'created' });
  });

  it('rejects a file that is not a database with StoreUnavailableError', async () => {
    const path = join(tempDir(), 'state.db');
    writeFileSync(path, 'this is not a database, it is a text file that is long enough to have a header'.repeat(10));
    await expect(open(path)).rejects.toMatchObject({ reason: 'corrupt', driverCode: 'SQLITE_NOTADB' });
  });

  it('rejects a path it cannot create with StoreUnavailableError', async () => {
    const blocker = join(tempDir(), 'a-file');
    writeFileSync(blocker, '');
    await expect(open(join(blocker, 'state.db'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', reason: 'cannot-open' });
  });
});
