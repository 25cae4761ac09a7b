import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import { ClaimNotFoundError, EngineExistsError, EngineInUseError, EngineOwnedByConfigError } from '../domain/engines/engine-errors.js';
import { InMemoryEngineRepository } from './engine-repository.js';
import { EngineRegistry, type EngineMetricsSink, type EngineTransitionEvent } from './engine-registry.js';

const spec = (id: string, overrides: Partial<EngineSpec> = {}): EngineSpec => ({ id, host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 1, labels: {}, ...overrides });

function setup(specs: EngineSpec[] = []) {
  const clock = new FakeClock();
  const health: Record<string, string> = {};
  const streams: Record<string, number> = {};
  const metrics: EngineMetricsSink = {
    setEngineHealth: (engine, value) => (health[engine] = value),
    removeEngine: (engine) => delete health[engine],
    setEngineStreams: (engine, n) => (streams[engine] = n),
  };
  const repository = new InMemoryEngineRepository();
  let n = 0;
  const registry = new EngineRegistry({ clock, metrics, repository, health: { graceMs: 0 }, newClaimId: () => `claim-${++n}` });
  for (const s of specs) registry.add(s);
  const ok = (id: string) => registry.recordPoll(id, { kind: 'ok', at: clock.now(), durationMs: 3, message: 'ok' });
  const fail = (id: string) => registry.recordPoll(id, { kind: 'failed', at: clock.now(), durationMs: 3, message: 'refused' });
  return { clock, registry, health, streams, repository, ok, fail };
}

describe('EngineRegistry', () => {
  it('hands out the least recently used healthy engine and records usage', () => {
    const h = setup([spec('a'), spec('b'), spec('c')]);
    for (const id of ['a', 'b', 'c']) h.ok(id);
    const first = h.registry.acquireOrThrow({ stream: 'cam' });
    expect(first.engine.spec.id).toBe('a');
    expect(first.engine.lastStreamUsage).toBe(h.clock.now());
    h.clock.advance(1_000);
    expect(h.registry.acquireOrThrow().engine.spec.id).toBe('b');
    h.registry.release(first.claimId);
    h.clock.advance(1_000);
    // a was used longest ago and is free again; c was never used: c first.
    expect(h.registry.acquireOrThrow().engine.spec.id).toBe('c');
    expect(h.registry.acquireOrThrow().engine.spec.id).toBe('a');
    expect(h.streams).toEqual({ a: 1, b: 1, c: 1 });
    expect(h.registry.get('a').claims.map((c) => c.stream)).toEqual([undefined]);
  });

  it('never gives the same last slot twice and says why when full', () => {
    const h = setup([spec('a', { capacity: 2 })]);
    h.ok('a');
    const claims = Array.from({ length: 5 }, () => h.registry.acquire());
    expect(claims.filter((c) => c.ok)).toHaveLength(2);
    expect(claims[4]).toMatchObject({ ok: false, reason: 'all-full' });
  });

  it('releases a claim once', () => {
    const h = setup([spec('a')]);
    h.ok('a');
    const claim = h.registry.acquireOrThrow();
    expect(h.registry.release(claim.claimId).claims).toHaveLength(0);
    expect(() => h.registry.release(claim.claimId)).toThrow(ClaimNotFoundError);
  });

  it('refuses duplicates, in-use and config engines; force drops claims', () => {
    const h = setup([spec('a')]);
    h.ok('a');
    expect(() => h.registry.add(spec('a'))).toThrow(EngineExistsError);
    const claim = h.registry.acquireOrThrow();
    expect(() => h.registry.remove('a')).toThrow(EngineInUseError);
    h.registry.remove('a', { force: true });
    expect(h.registry.has('a')).toBe(false);
    expect(h.health).toEqual({});
    expect(() => h.registry.release(claim.claimId)).toThrow(ClaimNotFoundError);
    h.registry.replaceConfigEngines([spec('cfg')]);
    expect(() => h.registry.remove('cfg')).toThrow(EngineOwnedByConfigError);
  });

  it('replaces config engines, keeping health unless the address changed', () => {
    const h = setup();
    h.registry.replaceConfigEngines([spec('x'), spec('y')]);
    h.ok('x');
    h.ok('y');
    h.registry.add(spec('api'));
    h.registry.replaceConfigEngines([spec('x', { capacity: 4 }), spec('y', { port: 1 })]);
    expect(h.registry.get('x').health.status).toBe('healthy');
    expect(h.registry.get('x').spec.capacity).toBe(4);
    expect(h.registry.get('y').health.status).toBe('unknown');
    h.registry.replaceConfigEngines([]);
    expect(h.registry.ids()).toEqual(['api']);
  });

  it('reports transitions and metric health (degraded shows as 0)', () => {
    const h = setup([spec('a')]);
    const events: EngineTransitionEvent[] = [];
    h.registry.onTransition((e) => events.push(e));
    h.registry.onTransition(() => {
      throw new Error('a broken listener must not break the pool');
    });
    expect(h.health.a).toBe('unknown');
    h.ok('a');
    expect(h.health.a).toBe('healthy');
    h.fail('a');
    h.fail('a');
    h.registry.recordPoll('a', { kind: 'unparsable', at: h.clock.now(), durationMs: 1, message: 'not JSON' });
    expect(events.map((e) => `${e.from}->${e.to}`)).toEqual(['unknown->healthy', 'healthy->unhealthy', 'unhealthy->degraded']);
    expect(h.health.a).toBe('unhealthy');
    h.registry.recordPoll('gone', { kind: 'ok', at: 0, durationMs: 0, message: '' });
  });

  it('persists engines, usage and claims and loads them back', async () => {
    const h = setup([spec('a')]);
    h.ok('a');
    const claim = h.registry.acquireOrThrow({ stream: 'cam' });
    const again = new EngineRegistry({ clock: h.clock, repository: h.repository });
    await again.load();
    expect(again.get('a').claims).toEqual([{ claimId: claim.claimId, stream: 'cam', at: claim.at }]);
    expect(again.get('a').lastStreamUsage).toBe(claim.at);
    expect(again.get('a').health.status).toBe('unknown');
    expect(again.release(claim.claimId).claims).toEqual([]);
  });

  it('loads the stored pool late (the store opened after start): adds API engines, drops stale config ones, writes everything through', async () => {
    const repository = new InMemoryEngineRepository();
    await repository.save({ spec: spec('api-1'), source: 'api', addedAt: 0, claims: [] });
    await repository.save({ spec: spec('old-config'), source: 'config', addedAt: 0, claims: [] });
    const clock = new FakeClock();
    const registry = new EngineRegistry({ clock, repository });
    const added: string[] = [];
    registry.onAdded((id) => added.push(id));
    // Started without the store: only the config engines, and writes dropped meanwhile (here: kept).
    registry.replaceConfigEngines([spec('cfg')]);
    await registry.loadLate([spec('cfg')]);
    expect(registry.ids().sort()).toEqual(['api-1', 'cfg']);
    expect(added).toEqual(['cfg', 'api-1']);
    expect((await repository.load()).map((r) => r.spec.id).sort()).toEqual(['api-1', 'cfg']);
  });

  it('tells its listeners when an engine is removed', () => {
    const h = setup([spec('a'), spec('b')]);
    const removed: string[] = [];
    h.registry.onRemoved((id) => removed.push(id));
    h.registry.remove('a');
    h.registry.replaceConfigEngines([]);
    expect(removed).toEqual(['a']);
  });
});
