import { describe, expect, it } from 'vitest';
import { appHarness, SECRET } from '../../test/helpers/app-harness.js';
import type { ErrorBody } from './errors.js';
import type { StreamDto } from './stream-dto.js';

const TOKEN = 'the-api-token-123';

describe('http app', () => {
  it('GET /api/v1/streams lists every stream with the contract fields, as a bare array', async () => {
    const h = await appHarness();
    h.runFor('cam', 3);
    const response = await h.app.inject('/api/v1/streams');
    expect(response.statusCode).toBe(200);
    const [cam, idle] = response.json<StreamDto[]>();
    expect(cam).toEqual({
      id: 'cam',
      name: 'Stream cam',
      desired: 'running',
      state: 'running',
      health: 'healthy',
      pid: 1000,
      restarts: 0,
      uptimeSeconds: 2,
      lastError: null,
      progress: { fps: 25, bitrateBps: 1_000_000, speed: 1, frames: 75, outTimeSeconds: 3 },
      activeInput: null,
      lastCheckAt: null,
      engine: null,
      preview: null,
    });
    expect(idle).toMatchObject({ id: 'idle', desired: 'stopped', state: 'stopped', health: 'unknown', pid: null, progress: { fps: null } });
  });

  it('answers 404 with a JSON error body for an unknown route', async () => {
    const response = await (await appHarness()).app.inject('/api/v1/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('NOT_FOUND');
  });

  describe('with server.token set', () => {
    const writes: readonly (readonly [string, string])[] = [
      ['POST', '/api/v1/streams'],
      ['PUT', '/api/v1/streams/cam'],
      ['DELETE', '/api/v1/streams/cam'],
      ['POST', '/api/v1/streams/cam/start'],
      ['POST', '/api/v1/streams/cam/stop'],
      ['POST', '/api/v1/streams/cam/restart'],
    ];

    it.each(writes)('%s %s needs the bearer token: 401 without it, changing nothing', async (method, url) => {
      const h = await appHarness({ token: TOKEN });
      const spawned = h.runner.spawned.length;
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
        const response = await h.app.inject({
          method: method as 'POST',
          url,
          headers: authorization === undefined ? {} : { authorization },
          ...(method === 'POST' || method === 'PUT' ? { payload: { id: 'new', args: ['-i', 'x', 'out.flv'] } } : {}),
        });
        expect(response.statusCode, `${authorization}`).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.json<ErrorBody>().error).toEqual({ code: 'UNAUTHORIZED', message: 'a valid bearer token is required' });
        expect(response.body).not.toContain(TOKEN);
      }
      expect(h.runner.spawned).toHaveLength(spawned);
      expect(h.supervisor.list().map((s) => [s.spec.id, s.desired])).toEqual([
        ['cam', 'running'],
        ['idle', 'stopped'],
      ]);
    });

    const reads = [
      '/api/v1/streams',
      '/api/v1/streams/cam',
      '/api/v1/streams/cam/logs',
      '/api/v1/streams/cam/runs',
      '/api/v1/watchdog/status',
      '/api/watchdog/status',
      '/healthz?verbose',
      '/readyz?verbose=1',
      '/health/detailed',
    ];

    it.each(reads)('GET %s is open without the token: reads carry no secret', async (url) => {
      const response = await (await appHarness({ token: TOKEN })).app.inject(url);
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain(TOKEN);
    });

    it('accepts the right token on reads and writes', async () => {
      const h = await appHarness({ token: TOKEN });
      const headers = { authorization: `Bearer ${TOKEN}` };
      expect((await h.app.inject({ url: '/api/v1/streams', headers })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/start', headers })).statusCode).toBe(202);
      expect((await h.app.inject({ url: '/healthz?verbose', headers })).statusCode).toBe(200);
    });

    it('leaves the probes open: /livez, /readyz, /healthz and their /health/ aliases without verbose', async () => {
      const h = await appHarness({ token: TOKEN });
      for (const url of ['/livez', '/readyz', '/healthz', '/healthz?verbose=0']) {
        const response = await h.app.inject(url);
        expect(response.statusCode, url).toBe(200);
        expect(response.json(), url).toEqual({ status: 'pass' });
      }
      for (const url of ['/health/liveness', '/health/readiness']) {
        const response = await h.app.inject(url);
        expect(response.statusCode, url).toBe(200);
        expect(response.json<{ status: string }>().status, url).toBe('healthy');
      }
    });
  });

  it('refuses changes with 503 SHUTTING_DOWN while the daemon shuts down, and still answers reads', async () => {
    const h = await appHarness();
    h.daemon.phase = 'stopping';
    const spawned = h.runner.spawned.length;
    for (const [method, url] of [
      ['POST', '/api/v1/streams/idle/start'],
      ['POST', '/api/v1/streams/cam/restart'],
      ['DELETE', '/api/v1/streams/cam'],
    ] as const) {
      const response = await h.app.inject({ method, url });
      expect(response.statusCode).toBe(503);
      expect(response.json<ErrorBody>().error.code).toBe('SHUTTING_DOWN');
    }
    expect(h.runner.spawned).toHaveLength(spawned);
    expect(h.supervisor.list()).toHaveLength(2);
    expect((await h.app.inject('/api/v1/streams')).statusCode).toBe(200);
  });

  it('never shows a secret in a 404 message', async () => {
    const response = await (await appHarness()).app.inject(`/rtmp://host/live/${SECRET}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(SECRET);
  });
});
