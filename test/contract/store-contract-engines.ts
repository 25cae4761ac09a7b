/** Contract: the engine pool (specs, source, usage, claims). */
import { describe, expect, it } from 'vitest';
import type { EngineSpec } from '../../src/domain/engines/engine-spec.js';
import type { StoredEngine } from '../../src/ports/store.js';
import type { EnginesRepository } from '../../src/ports/store.js';
import type { ContractContext } from './store-contract.js';
import { T0 } from './store-fixtures.js';

function engine(id: string, overrides: Partial<StoredEngine> = {}, spec: Partial<EngineSpec> = {}): StoredEngine {
  return {
    spec: { id, host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 2, labels: { region: 'eu' }, ...spec },
    source: 'api',
    addedAt: T0,
    claims: [],
    ...overrides,
  };
}

export function enginesContract(ctx: ContractContext<EnginesRepository>): void {
  describe('engines', () => {
    it('round-trips an engine with its usage and claims, ordered by when it was added', async () => {
      const used = engine('ace-2', {
        addedAt: T0 + 1,
        lastStreamUsage: T0 + 500,
        claims: [{ claimId: 'c1', stream: 'cam1', supervised: true, at: T0 + 500 }, { claimId: 'c2', at: T0 + 400 }],
      });
      const http = engine('web', { source: 'config', addedAt: T0 + 2 }, { kind: 'http', path: '/health', conditions: ['[STATUS] == 200'] });
      await ctx.store.putEngine(http);
      await ctx.store.putEngine(used);
      await ctx.store.putEngine(engine('ace-1'));
      expect(await ctx.store.listEngines()).toEqual([engine('ace-1'), used, http]);
      expect((await ctx.store.listEngines())[0]).not.toHaveProperty('lastStreamUsage');
    });

    it('replaces an engine by id, keeping when it was added', async () => {
      await ctx.store.putEngine(engine('ace-1', { lastStreamUsage: T0 + 1, claims: [{ claimId: 'c1', at: T0 + 1 }] }));
      const changed = engine('ace-1', { addedAt: T0 + 99, source: 'config', claims: [] }, { port: 7000, capacity: 5 });
      await ctx.store.putEngine(changed);
      expect(await ctx.store.listEngines()).toEqual([{ ...changed, addedAt: T0 }]);
    });

    it('deletes an engine, and says whether there was one', async () => {
      await ctx.store.putEngine(engine('ace-1'));
      await ctx.store.putEngine(engine('ace-2'));
      expect(await ctx.store.deleteEngine('ace-1')).toBe(true);
      expect(await ctx.store.deleteEngine('ace-1')).toBe(false);
      expect((await ctx.store.listEngines()).map((e) => e.spec.id)).toEqual(['ace-2']);
    });
  });
}
