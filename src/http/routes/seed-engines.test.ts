import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import type { EngineSpec } from '../../domain/engines/engine-spec.js';
import { EngineRegistry } from '../../engines/engine-registry.js';
import { registerSeedEngineRoutes } from './seed-engines.js';

const spec = (id: string): EngineSpec => ({ id, host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 2, labels: {} });

describe('GET /engines (the Acestream orchestrator shape)', () => {
  it('lists each engine with exactly the orchestrator fields; degraded is unhealthy there', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0, 123));
    const engines = new EngineRegistry({ clock, health: { graceMs: 0 } });
    engines.add(spec('a'), 'config');
    engines.add(spec('b'), 'config');
    engines.recordPoll('a', { kind: 'ok', at: clock.now(), durationMs: 2, message: 'ok' });
    engines.recordPoll('b', { kind: 'unparsable', at: clock.now(), durationMs: 2, message: 'garbage' });
    engines.acquireOrThrow({ stream: 'cam' });
    const app = Fastify({ logger: false });
    registerSeedEngineRoutes(app, engines);
    const res = await app.inject('/engines');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        container_id: 'a',
        container_name: 'a',
        host: '127.0.0.1',
        port: 6878,
        health_status: 'healthy',
        last_health_check: '2026-11-21T12:00:00.123Z',
        last_stream_usage: '2026-11-21T12:00:00.123Z',
        streams: ['cam'],
      },
      { container_id: 'b', container_name: 'b', host: '127.0.0.1', port: 6878, health_status: 'unhealthy', last_health_check: '2026-11-21T12:00:00.123Z', last_stream_usage: null, streams: [] },
    ]);
  });
});
