import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spec, T0 } from '../../test/contract/store-fixtures.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { openSqliteStore, type SqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { StreamOwnedError } from '../ports/store.js';
import { applyOwnedSet, changedAnything, removeOwned, upsertOwned } from './owned-streams.js';

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'streamwarden-owned-'));
  store = await openSqliteStore({ path: join(dir, 'state.db'), clock: new FakeClock(T0) });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('upsertOwned / removeOwned', () => {
  it('creates, leaves unchanged, updates the spec, flips the desired state', async () => {
    expect(await upsertOwned(store, 'controller', spec('a'))).toBe('created');
    const created = await store.getStream('a');
    expect(await upsertOwned(store, 'controller', spec('a'))).toBe('unchanged');
    expect((await store.getStream('a'))?.generation).toBe(created?.generation);
    expect(await upsertOwned(store, 'controller', spec('a', { desired: 'stopped' }))).toBe('desired');
    expect((await store.getStream('a'))?.desired).toBe('stopped');
    expect(await upsertOwned(store, 'controller', spec('a', { name: 'renamed', desired: 'running' }))).toBe('updated');
    expect(await store.getStream('a')).toMatchObject({ desired: 'running', spec: { name: 'renamed' }, owner: 'controller' });
  });

  it('refuses a stream of another owner with an error naming the owner', async () => {
    await upsertOwned(store, 'api', spec('a'));
    const error = await upsertOwned(store, 'controller', spec('a', { name: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamOwnedError);
    expect((error as StreamOwnedError).message).toBe('stream "a" is owned by api; controller may not change it');
    await expect(removeOwned(store, 'file', 'a')).rejects.toThrow(/owned by api/);
    expect(await removeOwned(store, 'api', 'a')).toBe(true);
    expect(await removeOwned(store, 'api', 'a')).toBe(false);
  });
});

describe('applyOwnedSet', () => {
  it('is a three-way diff over one owner\'s streams only', async () => {
    await applyOwnedSet(store, 'file', [spec('keep'), spec('edit'), spec('gone'), spec('off')]);
    await upsertOwned(store, 'api', spec('api-one'));
    const before = new Map((await store.listStreams()).map((s) => [s.id, s.generation]));

    const report = await applyOwnedSet(store, 'file', [spec('keep'), spec('edit', { name: 'edited' }), spec('off', { desired: 'stopped' }), spec('new')]);
    expect(report).toEqual({ created: ['new'], updated: ['edit'], desiredChanged: ['off'], unchanged: ['keep'], removed: ['gone'], refused: [] });
    expect(changedAnything(report)).toBe(true);
    const after = new Map((await store.listStreams()).map((s) => [s.id, s]));
    expect(after.get('keep')?.generation).toBe(before.get('keep'));
    expect(after.has('gone')).toBe(false);
    expect(after.get('api-one')?.owner).toBe('api');

    const again = await applyOwnedSet(store, 'file', [spec('keep'), spec('edit', { name: 'edited' }), spec('off', { desired: 'stopped' }), spec('new')]);
    expect(changedAnything(again)).toBe(false);
  });

  it('reports a stream owned by another source and applies the rest', async () => {
    await upsertOwned(store, 'api', spec('taken'));
    const report = await applyOwnedSet(store, 'controller', [spec('taken', { name: 'mine now' }), spec('fine')]);
    expect(report.created).toEqual(['fine']);
    expect(report.refused).toEqual([{ id: 'taken', owner: 'api', error: 'stream "taken" is owned by api; controller may not change it' }]);
    expect((await store.getStream('taken'))?.spec.name).toBe('Stream taken');
  });

  it('keeps streams listed in `keep`, and removes nothing with keep: all', async () => {
    await applyOwnedSet(store, 'controller', [spec('a'), spec('b'), spec('c')]);
    expect((await applyOwnedSet(store, 'controller', [spec('a')], { keep: new Set(['b']) })).removed).toEqual(['c']);
    expect((await applyOwnedSet(store, 'controller', [], { keep: 'all' })).removed).toEqual([]);
    expect((await store.listStreams()).map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('throws the store\'s own errors (the caller retries)', async () => {
    await store.close();
    await expect(applyOwnedSet(store, 'file', [spec('a')])).rejects.toThrow(/unavailable/);
  });
});
