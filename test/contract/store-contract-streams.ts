/** Contract: stream specs, desired state, owner, generation; the runtime registry. */
import { describe, expect, it } from 'vitest';
import { UnknownStreamError } from '../../src/domain/errors.js';
import { StreamOwnedError, type RunsRepository, type RuntimeRepository, type StreamsRepository } from '../../src/ports/store.js';
import type { ContractContext } from './store-contract.js';
import { runtimeEntry, spec, T0 } from './store-fixtures.js';

export function streamsContract(ctx: ContractContext<StreamsRepository>): void {
  describe('streams', () => {
    it('creates a stream with its spec, owner and the spec’s desired state', async () => {
      const result = await ctx.store.putStream({ spec: spec('cam1', { desired: 'stopped' }), owner: 'controller' });
      expect(result.change).toBe('created');
      expect(result.stream).toMatchObject({ id: 'cam1', owner: 'controller', desired: 'stopped' });
      expect(result.stream.generation).toBeGreaterThan(0);
      expect(await ctx.store.getStream('cam1')).toEqual(result.stream);
      expect((await ctx.store.getStream('cam1'))?.spec).toEqual(spec('cam1', { desired: 'stopped' }));
    });

    it('raises the generation on every change and keeps the owner', async () => {
      const created = await ctx.store.putStream({ spec: spec('cam1'), owner: 'file' });
      const updated = await ctx.store.putStream({ spec: spec('cam1', { name: 'Renamed' }), owner: 'file' });
      expect(updated.change).toBe('updated');
      expect(updated.stream.generation).toBeGreaterThan(created.stream.generation);
      expect(updated.stream.owner).toBe('file');
      const stopped = await ctx.store.setDesired('cam1', 'stopped');
      expect(stopped.generation).toBeGreaterThan(updated.stream.generation);
      expect(await ctx.store.getStream('cam1')).toMatchObject({ generation: stopped.generation, spec: { name: 'Renamed' } });
    });

    it('writes nothing for an unchanged spec, whatever the key order', async () => {
      const created = await ctx.store.putStream({ spec: spec('cam1'), owner: 'api' });
      const { id, ...rest } = spec('cam1');
      const reordered = { ...Object.fromEntries(Object.entries(rest).reverse()), id } as typeof created.stream.spec;
      const again = await ctx.store.putStream({ spec: reordered, owner: 'api' });
      expect(again.change).toBe('unchanged');
      expect(again.stream.generation).toBe(created.stream.generation);
    });

    it('changes desired state only through setDesired', async () => {
      await ctx.store.putStream({ spec: spec('cam1', { desired: 'running' }), owner: 'file' });
      const put = await ctx.store.putStream({ spec: spec('cam1', { desired: 'stopped', name: 'New' }), owner: 'file' });
      expect(put.stream.desired).toBe('running');
      expect(put.stream.spec.desired).toBe('running');
      const set = await ctx.store.setDesired('cam1', 'stopped');
      expect(set).toMatchObject({ desired: 'stopped', spec: { desired: 'stopped', name: 'New' } });
      expect(await ctx.store.getStream('cam1')).toMatchObject({ desired: 'stopped' });
      expect((await ctx.store.setDesired('cam1', 'stopped')).generation).toBe(set.generation);
    });

    it('refuses a change by another owner and names the owner', async () => {
      await ctx.store.putStream({ spec: spec('cam1'), owner: 'file' });
      await expect(ctx.store.putStream({ spec: spec('cam1', { name: 'x' }), owner: 'api' })).rejects.toBeInstanceOf(StreamOwnedError);
      await expect(ctx.store.setDesired('cam1', 'stopped', { owner: 'controller' })).rejects.toMatchObject({
        code: 'STREAM_OWNED',
        owner: 'file',
        requestedBy: 'controller',
      });
      await expect(ctx.store.deleteStream('cam1', { owner: 'api' })).rejects.toBeInstanceOf(StreamOwnedError);
      expect(await ctx.store.getStream('cam1')).toMatchObject({ owner: 'file', desired: 'running', spec: { name: 'Stream cam1' } });
      await expect(ctx.store.setDesired('cam1', 'stopped', { owner: 'file' })).resolves.toMatchObject({ desired: 'stopped' });
    });

    it('throws UnknownStreamError for setDesired on a missing stream', async () => {
      await expect(ctx.store.setDesired('ghost', 'running')).rejects.toBeInstanceOf(UnknownStreamError);
    });

    it('deletes, lists by id, and never hands out a generation twice', async () => {
      await ctx.store.putStream({ spec: spec('b'), owner: 'api' });
      const a = await ctx.store.putStream({ spec: spec('a'), owner: 'api' });
      expect((await ctx.store.listStreams()).map((s) => s.id)).toEqual(['a', 'b']);
      expect(await ctx.store.deleteStream('a')).toBe(true);
      expect(await ctx.store.deleteStream('a')).toBe(false);
      expect(await ctx.store.getStream('a')).toBeUndefined();
      const again = await ctx.store.putStream({ spec: spec('a'), owner: 'controller' });
      expect(again.change).toBe('created');
      expect(again.stream.generation).toBeGreaterThan(a.stream.generation);
      expect((await ctx.store.listStreams()).map((s) => s.id)).toEqual(['a', 'b']);
    });
  });
}

/** Entries name runs, and outlive their stream's spec: the suite needs those repositories too. */
export function runtimeContract(ctx: ContractContext<RuntimeRepository & Pick<RunsRepository, 'recordRunStart'> & Pick<StreamsRepository, 'putStream' | 'deleteStream'>>): void {
  describe('runtime registry', () => {
    it('round-trips an entry and replaces it per stream', async () => {
      const runId = await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0, pid: 4242 });
      const entry = runtimeEntry('cam1', runId, { cmdlineHash: 'sha256:cmd' });
      await ctx.store.putRuntime(entry);
      expect(await ctx.store.listRuntime()).toEqual([entry]);
      const next = await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0 + 1_000, pid: 5000 });
      const replaced = runtimeEntry('cam1', next, { pid: 5000, pgid: 5000, startTicks: 999 });
      await ctx.store.putRuntime(replaced);
      const listed = await ctx.store.listRuntime();
      expect(listed).toEqual([replaced]);
      expect(listed[0]).not.toHaveProperty('cmdlineHash');
    });

    it('clears an entry only while it still holds the given pid', async () => {
      const runId = await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0 });
      await ctx.store.putRuntime(runtimeEntry('cam1', runId, { pid: 10 }));
      await ctx.store.clearRuntime('cam1', 11);
      expect(await ctx.store.listRuntime()).toHaveLength(1);
      await ctx.store.clearRuntime('cam1', 10);
      expect(await ctx.store.listRuntime()).toEqual([]);
      await ctx.store.putRuntime(runtimeEntry('cam1', runId));
      await ctx.store.clearRuntime('cam1');
      expect(await ctx.store.listRuntime()).toEqual([]);
    });

    it('keeps an entry after its stream is deleted (the process must still be found and stopped)', async () => {
      await ctx.store.putStream({ spec: spec('cam1'), owner: 'api' });
      const runId = await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0 });
      await ctx.store.putRuntime(runtimeEntry('cam1', runId));
      await ctx.store.deleteStream('cam1');
      expect((await ctx.store.listRuntime()).map((e) => e.stream)).toEqual(['cam1']);
    });
  });
}
