import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { appHarness } from '../../../test/helpers/app-harness.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import type { EngineSpec } from '../../domain/engines/engine-spec.js';
import { EngineRegistry } from '../../engines/engine-registry.js';
import { registerEngineRoutes, type EngineDto } from './engines.js';

const spec = (id: string, overrides: Partial<EngineSpec> = {}): EngineSpec => ({ id, host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 1, labels: {}, ...overrides });

function setup(specs: EngineSpec[] = []) {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const engines = new EngineRegistry({ clock, health: { graceMs: 0 } });
  for (const s of specs) engines.add(s, 'config');
  const healthy = (id: string) => engines.recordPoll(id, { kind: 'ok', at: clock.now(), durationMs: 2, message: 'ok' });
  const app = Fastify({ logger: false });
  registerEngineRoutes(app, { engines });
  return { clock, engines, app, healthy };
}

describe('engine routes', () => {
  it('lists engines with health, usage and ISO 8601 times', async () => {
    const h = setup([spec('a', { labels: { region: 'eu' }, capacity: 2 })]);
    let res = await h.app.inject('/api/v1/engines');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ id: 'a', health_status: 'unknown', last_health_check: null, last_stream_usage: null, streams: [], capacity: 2, free_slots: 2, labels: { region: 'eu' }, last_error: null }),
    ]);
    h.healthy('a');
    await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: { stream: 'cam' } });
    res = await h.app.inject('/api/v1/engines/a');
    const dto = res.json<EngineDto>();
    expect(dto).toMatchObject({ health_status: 'healthy', last_health_check: '2026-11-21T12:00:00.000Z', last_stream_usage: '2026-11-21T12:00:00.000Z', streams: ['cam'], stream_count: 1, free_slots: 1 });
    expect((await h.app.inject('/api/v1/engines/nope')).json()).toEqual({ error: { code: 'ENGINE_NOT_FOUND', message: 'no engine with id "nope"' } });
  });

  it('adds and deletes engines', async () => {
    const h = setup([spec('cfg')]);
    const added = await h.app.inject({ method: 'POST', url: '/api/v1/engines', payload: { id: 'b', host: '127.0.0.1', port: 7000, kind: 'http', path: '/health', conditions: ['body.ok == true'] } });
    expect(added.statusCode).toBe(201);
    expect(added.headers.location).toBe('/api/v1/engines/b');
    expect(added.json()).toMatchObject({ id: 'b', kind: 'http', path: '/health', source: 'api', health_status: 'unknown' });
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/engines', payload: { id: 'b', host: 'h', port: 1 } })).statusCode).toBe(409);
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/engines', payload: { id: 'B!', host: 'h', port: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_ENGINE' } });
    expect(bad.json<{ error: { issues: string[] } }>().error.issues).toHaveLength(2);
    h.healthy('b');
    await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: {} });
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/engines/b' })).json()).toMatchObject({ error: { code: 'ENGINE_IN_USE' } });
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/engines/b?force=true' })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/engines/cfg' })).json()).toMatchObject({ error: { code: 'ENGINE_OWNED_ELSEWHERE' } });
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/engines/b' })).statusCode).toBe(404);
  });

  it('acquire says why nothing qualifies', async () => {
    const h = setup();
    const acquire = async (payload: object = {}) => (await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload })).json<{ error: { code: string } }>().error.code;
    expect(await acquire()).toBe('ENGINE_POOL_EMPTY');
    h.engines.add(spec('a', { labels: { region: 'eu' } }));
    expect(await acquire()).toBe('NO_HEALTHY_ENGINE');
    expect(await acquire({ labels: { region: 'us' } })).toBe('NO_ENGINE_MATCHES_LABELS');
    h.healthy('a');
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: { labels: { region: 'eu' } } });
    expect(ok.statusCode).toBe(200);
    const full = await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: {} });
    expect(full.statusCode).toBe(503);
    expect(full.json()).toMatchObject({ error: { code: 'ENGINES_AT_CAPACITY' } });
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: { labels: 'x' } })).statusCode).toBe(400);
  });

  it('releases by claim id, once', async () => {
    const h = setup([spec('a')]);
    h.healthy('a');
    const claim = (await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire' })).json<{ claim_id: string; engine: EngineDto }>();
    expect(claim.engine.id).toBe('a');
    const release = (claimId: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/engines/release', payload: { claim_id: claimId } });
    const released = await release(claim.claim_id);
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ id: 'a', streams: [], free_slots: 1 });
    expect((await release(claim.claim_id)).json()).toMatchObject({ error: { code: 'CLAIM_NOT_FOUND' } });
    expect((await release(42)).statusCode).toBe(400);
  });

  it('100 parallel acquires against 10 free slots: exactly 10 succeed, no slot twice', async () => {
    // 4 engines with 1 + 2 + 3 + 4 = 10 slots, all healthy.
    const h = setup([spec('a', { capacity: 1 }), spec('b', { capacity: 2 }), spec('c', { capacity: 3 }), spec('d', { capacity: 4 })]);
    for (const id of ['a', 'b', 'c', 'd']) h.healthy(id);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', payload: { stream: `s${i}` } })),
    );
    const ok = responses.filter((r) => r.statusCode === 200).map((r) => r.json<{ claim_id: string; engine: EngineDto }>());
    expect(ok).toHaveLength(10);
    expect(responses.filter((r) => r.statusCode === 503).every((r) => r.json<{ error: { code: string } }>().error.code === 'ENGINES_AT_CAPACITY')).toBe(true);
    expect(new Set(ok.map((c) => c.claim_id)).size).toBe(10);
    const perEngine: Record<string, number> = {};
    for (const c of ok) perEngine[c.engine.id] = (perEngine[c.engine.id] ?? 0) + 1;
    expect(perEngine).toEqual({ a: 1, b: 2, c: 3, d: 4 });
    const listed = (await h.app.inject('/api/v1/engines')).json<EngineDto[]>();
    expect(listed.map((e) => e.stream_count)).toEqual([1, 2, 3, 4]);
    expect(new Set(listed.flatMap((e) => e.streams)).size).toBe(10);
  });

  it('works inside the daemon app (auth, empty bodies, error mapping)', async () => {
    const h = await appHarness({ token: 'tok' });
    const engines = new EngineRegistry({ clock: h.clock, health: { graceMs: 0 } });
    engines.add(spec('a'));
    engines.recordPoll('a', { kind: 'ok', at: h.clock.now(), durationMs: 1, message: 'ok' });
    registerEngineRoutes(h.app, { engines });
    expect((await h.app.inject('/api/v1/engines')).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire' })).statusCode).toBe(401);
    const auth = { authorization: 'Bearer tok' };
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', headers: { ...auth, 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(200);
    const full = await h.app.inject({ method: 'POST', url: '/api/v1/engines/acquire', headers: auth });
    expect(full.statusCode).toBe(503);
    expect(full.json()).toMatchObject({ error: { code: 'ENGINES_AT_CAPACITY' } });
  });
});
