/** Contract: runs, recoveries and the event log. */
import { describe, expect, it } from 'vitest';
import { UnknownRunError, type EventsRepository, type RecoveriesRepository, type RunsRepository, type StoreMaintenance } from '../../src/ports/store.js';
import type { ContractContext } from './store-contract.js';
import { recovery, runEnd, T0 } from './store-fixtures.js';

export function runsContract(ctx: ContractContext<RunsRepository>): void {
  describe('runs', () => {
    it('lists a stream’s runs newest first, up to the limit', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) ids.push(await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0 + i * 1_000, pid: 100 + i }));
      await ctx.store.recordRunStart({ stream: 'cam2', startedAt: T0 + 10_000 });
      expect(new Set(ids).size).toBe(4);
      const runs = await ctx.store.listRuns('cam1', 3);
      expect(runs.map((r) => r.runId)).toEqual([ids[3], ids[2], ids[1]]);
      expect(runs[0]).toMatchObject({ stream: 'cam1', startedAt: T0 + 3_000, pid: 103 });
      expect(await ctx.store.listRuns('cam1', 0)).toEqual([]);
      expect(await ctx.store.listRuns('nobody', 10)).toEqual([]);
    });

    it('records how a run ended, with its redacted log lines', async () => {
      const runId = await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0, pid: 7, specHash: 'h1' });
      expect((await ctx.store.listRuns('cam1', 1))[0]).not.toHaveProperty('end');
      const end = runEnd(T0 + 60_000, { reason: 'killed', exitCode: null, signal: 'SIGKILL' });
      await ctx.store.recordRunEnd(runId, end);
      expect(await ctx.store.listRuns('cam1', 1)).toEqual([{ runId, stream: 'cam1', startedAt: T0, pid: 7, specHash: 'h1', end }]);
      const { lastError: _lastError, ...noError } = runEnd(T0 + 1, { reason: 'lost', firstLines: [], lastLines: [] });
      await ctx.store.recordRunEnd(runId, noError);
      expect((await ctx.store.listRuns('cam1', 1))[0]?.end).toEqual(noError);
    });

    it('throws UnknownRunError when ending a run it never started', async () => {
      await expect(ctx.store.recordRunEnd(987_654, runEnd(T0))).rejects.toBeInstanceOf(UnknownRunError);
    });
  });
}

export function recoveriesContract(ctx: ContractContext<RecoveriesRepository>): void {
  describe('recoveries', () => {
    it('round-trips records, newest first, filtered by stream', async () => {
      const first = recovery('cam1', T0);
      const open = recovery('cam2', T0 + 1_000, { recoveredAt: undefined, recoveredAfterMs: undefined, action: 'none', actions: [] });
      const last = recovery('cam1', T0 + 2_000, { locus: 'input', cause: 'timeout' });
      const ids = [await ctx.store.recordRecovery(first), await ctx.store.recordRecovery(open), await ctx.store.recordRecovery(last)];
      const all = await ctx.store.listRecoveries({ limit: 10 });
      expect(all.map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect(all[0]).toEqual({ id: ids[2], ...last });
      expect(all[1]).not.toHaveProperty('recoveredAt');
      expect((await ctx.store.listRecoveries({ stream: 'cam1', limit: 1 })).map((r) => r.id)).toEqual([ids[2]]);
    });
  });
}

/** Pruning is the store's upkeep, so the event log's suite also needs it. */
export function eventsContract(ctx: ContractContext<EventsRepository & Pick<StoreMaintenance, 'prune'>>): void {
  describe('event log', () => {
    it('returns events after an id, oldest first, up to the limit', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await ctx.store.appendEvent({ at: T0 + i, type: 'state', stream: 'cam1', payload: { to: 'running', n: i } }));
      }
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const firstTwo = await ctx.store.listEvents(0, 2);
      expect(firstTwo).toEqual([
        { id: ids[0], at: T0, type: 'state', stream: 'cam1', payload: { to: 'running', n: 0 } },
        { id: ids[1], at: T0 + 1, type: 'state', stream: 'cam1', payload: { to: 'running', n: 1 } },
      ]);
      expect((await ctx.store.listEvents(ids[1] ?? 0, 10)).map((e) => e.id)).toEqual(ids.slice(2));
      expect(await ctx.store.listEvents(ids[4] ?? 0, 10)).toEqual([]);
    });

    it('keeps events without a stream and any JSON payload', async () => {
      const id = await ctx.store.appendEvent({ at: T0, type: 'daemon', payload: ['started', 1, null, { ok: true }] });
      const [event] = await ctx.store.listEvents(id - 1, 1);
      expect(event).toEqual({ id, at: T0, type: 'daemon', payload: ['started', 1, null, { ok: true }] });
      expect(event).not.toHaveProperty('stream');
    });

    it('never reuses an id, even after pruning every event', async () => {
      const first = await ctx.store.appendEvent({ at: T0, type: 'state', payload: {} });
      await ctx.store.prune({ now: T0 + 1_000, keepRunsPerStream: 10, maxEventAgeMs: 0, maxRecoveryAgeMs: 0, maxSentNotificationAgeMs: 0 });
      expect(await ctx.store.listEvents(0, 10)).toEqual([]);
      expect(await ctx.store.appendEvent({ at: T0 + 2_000, type: 'state', payload: {} })).toBeGreaterThan(first);
    });
  });
}
