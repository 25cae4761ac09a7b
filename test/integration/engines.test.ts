/**
 * The engine pool against real HTTP: fake engines on 127.0.0.1:0 that answer healthy, return
 * errors, return garbage or hang; the real Acestream and http clients; the poller on the system
 * clock with short intervals; the routes served over loopback.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AcestreamClient } from '../../src/adapters/engines/acestream-client.js';
import { createEngineClient } from '../../src/adapters/engines/create-engine-client.js';
import { HttpEngineClient } from '../../src/adapters/engines/http-engine-client.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { EngineSpec } from '../../src/domain/engines/engine-spec.js';
import { EnginePoller } from '../../src/engines/engine-poller.js';
import { EngineRegistry } from '../../src/engines/engine-registry.js';
import { registerEngineRoutes } from '../../src/http/routes/engines.js';
import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from '../helpers/fake-http-server.js';
import { waitFor } from '../helpers/wait-for.js';

type Mode = 'healthy' | 'error' | 'engine-error' | 'garbage' | 'hang';

const REPLIES: Record<Mode, FakeReply> = {
  healthy: { body: { result: { status: 'idle' }, error: null } },
  error: { status: 500, body: 'Internal Server Error' },
  'engine-error': { body: { result: null, error: 'engine not ready' } },
  garbage: { status: 200, body: '<html>definitely not json' },
  hang: { hang: true },
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake engine whose behaviour can be switched while it runs. */
async function fakeEngine(initial: Mode): Promise<{ server: FakeHttpServer; port: number; set(mode: Mode): void }> {
  let mode = initial;
  const server = await startFakeHttpServer((request) => {
    if (request.path === '/server/api' && request.query.get('method') === 'get_status') return REPLIES[mode];
    if (request.path === '/health') return mode === 'healthy' ? { body: { ok: true, load: 3 } } : REPLIES[mode];
    return { status: 404, body: 'not found' };
  });
  cleanups.push(() => server.close());
  return { server, port: Number(new URL(server.url).port), set: (next) => (mode = next) };
}

const spec = (id: string, port: number, overrides: Partial<EngineSpec> = {}): EngineSpec => ({ id, host: '127.0.0.1', port, kind: 'acestream', capacity: 1, labels: {}, ...overrides });

const poll = (client: { poll(signal: AbortSignal): Promise<unknown> }, timeoutMs = 2_000) => client.poll(AbortSignal.timeout(timeoutMs));

describe('engine clients against a fake engine', () => {
  it('acestream: healthy, HTTP error, engine error, garbage, hang, refused', async () => {
    const engine = await fakeEngine('healthy');
    const client = new AcestreamClient(spec('a', engine.port));
    expect(await poll(client)).toEqual({ kind: 'ok', message: 'get_status ok' });
    expect(engine.server.requests.at(-1)?.query.get('api_version')).toBe('3');
    engine.set('error');
    expect(await poll(client)).toEqual({ kind: 'failed', message: 'get_status answered HTTP 500' });
    engine.set('engine-error');
    expect(await poll(client)).toMatchObject({ kind: 'failed', message: 'get_status error: engine not ready' });
    engine.set('garbage');
    expect(await poll(client)).toMatchObject({ kind: 'unparsable' });
    engine.set('hang');
    const started = Date.now();
    expect(await poll(client, 300)).toMatchObject({ kind: 'failed', message: 'get_status failed: aborted' });
    expect(Date.now() - started).toBeLessThan(2_000);
    await engine.server.close();
    expect(await poll(client)).toMatchObject({ kind: 'failed', message: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('http kind: conditions, errors and a body that is not JSON', async () => {
    const engine = await fakeEngine('healthy');
    const client = new HttpEngineClient(spec('h', engine.port, { kind: 'http', path: '/health', conditions: ['body.ok == true', 'body.load < 10'] }));
    expect(await poll(client)).toEqual({ kind: 'ok', message: 'HTTP 200' });
    const strict = createEngineClient(spec('h2', engine.port, { kind: 'http', path: '/health', conditions: ['body.load < 2'] }));
    expect(await poll(strict)).toEqual({ kind: 'failed', message: 'body.load < 2: body.load is 3' });
    engine.set('garbage');
    expect(await poll(client)).toMatchObject({ kind: 'unparsable' });
    engine.set('error');
    expect(await poll(client)).toEqual({ kind: 'failed', message: 'HTTP 500' });
  });
});

describe('engine pool over real HTTP', () => {
  it('polls a mixed pool: a hung engine times out without delaying the others; only healthy engines are handed out', async () => {
    const modes: Mode[] = ['healthy', 'error', 'garbage', 'hang', 'healthy'];
    const engines = await Promise.all(modes.map((mode) => fakeEngine(mode)));
    const registry = new EngineRegistry({ clock: systemClock, health: { graceMs: 0, failureThreshold: 1, successThreshold: 1 } });
    engines.forEach((engine, i) => registry.add(spec(`e${i}-${modes[i]}`, engine.port)));
    const poller = new EnginePoller({ clock: systemClock, target: registry, clientFor: createEngineClient, intervalMs: 500, timeoutMs: 2_000, maxInFlight: 10 });
    cleanups.push(() => poller.stop());
    poller.start();

    const statuses = () => registry.list().map((e) => e.health.status);
    // Healthy and erroring engines are judged long before the hung one times out.
    await waitFor(() => registry.get('e0-healthy').health.status === 'healthy' && registry.get('e1-error').health.status === 'unhealthy', { description: 'fast engines judged', timeoutMs: 5_000, intervalMs: 20 });
    expect(registry.get('e3-hang').health.status).toBe('unknown');
    await waitFor(() => poller.stats.lastRound, { description: 'the first round to finish', timeoutMs: 5_000 });
    expect(statuses()).toEqual(['healthy', 'unhealthy', 'degraded', 'unhealthy', 'healthy']);
    expect(registry.get('e3-hang').health.lastError).toBe('timed out after 2 s');
    expect(poller.stats.lastRound).toMatchObject({ engines: 5, ok: 2, failed: 2, unparsable: 1, timedOut: 1 });

    // Only the two healthy engines are handed out, then the pool is full.
    const first = registry.acquireOrThrow({ stream: 'one' });
    const second = registry.acquireOrThrow({ stream: 'two' });
    expect([first.engine.spec.id, second.engine.spec.id].sort()).toEqual(['e0-healthy', 'e4-healthy']);
    expect(registry.acquire()).toMatchObject({ ok: false, reason: 'all-full' });

    // The hung engine comes back: the next rounds find it healthy.
    engines[3]?.set('healthy');
    await waitFor(() => registry.get('e3-hang').health.status === 'healthy', { description: 'the hung engine to recover', timeoutMs: 5_000 });
    expect(registry.acquireOrThrow().engine.spec.id).toBe('e3-hang');
  });

  it('an engine that answers garbage forever: degraded at once, unhealthy after 3 answers in a row (the default bound), never handed out', async () => {
    const ace = await fakeEngine('garbage');
    const web = await fakeEngine('garbage');
    const registry = new EngineRegistry({ clock: systemClock, health: { graceMs: 0 } });
    registry.add(spec('ace', ace.port));
    registry.add(spec('web', web.port, { kind: 'http', path: '/health', conditions: ['body.ok == true'] }));
    const transitions: string[] = [];
    const unsubscribe = registry.onTransition((e) => transitions.push(`${e.engineId} ${e.to}: ${e.reason}`));
    cleanups.push(() => Promise.resolve(unsubscribe()));
    const poller = new EnginePoller({ clock: systemClock, target: registry, clientFor: createEngineClient, intervalMs: 200, timeoutMs: 2_000, jitterRatio: 0 });
    cleanups.push(() => poller.stop());
    poller.start();

    await waitFor(() => registry.list().every((e) => e.health.status === 'unhealthy'), { description: 'both engines unhealthy', timeoutMs: 10_000, intervalMs: 20 });
    for (const id of ['ace', 'web']) {
      const mine = transitions.filter((t) => t.startsWith(`${id} `));
      expect(mine).toHaveLength(2);
      expect(mine[0]).toMatch(new RegExp(`^${id} degraded: unparsable answer: `));
      expect(mine[1]).toMatch(new RegExp(`^${id} unhealthy: 3 unparsable answers in a row: `));
      expect(registry.get(id).health.consecutiveUnparsable).toBeGreaterThanOrEqual(3);
    }
    expect(registry.acquire()).toMatchObject({ ok: false });

    // It stays unhealthy while the garbage goes on, and comes back with M=2 good answers.
    const polls = ace.server.requests.length;
    await waitFor(() => ace.server.requests.length >= polls + 3, { description: 'three more polls', timeoutMs: 5_000, intervalMs: 20 });
    expect(registry.get('ace').health.status).toBe('unhealthy');
    ace.set('healthy');
    await waitFor(() => registry.get('ace').health.status === 'healthy', { description: 'the engine to recover', timeoutMs: 5_000, intervalMs: 20 });
    expect(registry.acquireOrThrow().engine.spec.id).toBe('ace');
  });

  it('100 parallel acquires over HTTP against 10 free slots: exactly 10 succeed', async () => {
    const engine = await fakeEngine('healthy');
    const registry = new EngineRegistry({ clock: systemClock, health: { graceMs: 0 } });
    for (let i = 0; i < 5; i++) registry.add(spec(`e${i}`, engine.port, { capacity: 2 }));
    const poller = new EnginePoller({ clock: systemClock, target: registry, clientFor: createEngineClient, intervalMs: 60_000 });
    await poller.runRound();
    const app: FastifyInstance = Fastify({ logger: false });
    registerEngineRoutes(app, { engines: registry });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${base}/api/v1/engines/acquire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stream: `s${i}` }) }).then(
          async (res) => ({ status: res.status, body: (await res.json()) as { claim_id?: string; engine?: { id: string } } }),
        ),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    expect(ok).toHaveLength(10);
    expect(responses.filter((r) => r.status === 503)).toHaveLength(90);
    expect(new Set(ok.map((r) => r.body.claim_id)).size).toBe(10);
    const perEngine = new Map<string, number>();
    for (const r of ok) perEngine.set(r.body.engine?.id ?? '?', (perEngine.get(r.body.engine?.id ?? '?') ?? 0) + 1);
    expect([...perEngine.values()]).toEqual([2, 2, 2, 2, 2]);
  });
});
