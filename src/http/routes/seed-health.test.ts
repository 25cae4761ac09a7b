import { describe, expect, it } from 'vitest';
import { appHarness, streamSpec } from '../../../test/helpers/app-harness.js';

interface SeedHealth {
  status: string;
  message: string;
  timestamp: string;
  details: Record<string, unknown>;
}

describe("the radio module's /health/* shape", () => {
  it('answers status, message, timestamp (whole seconds, Z) and details on each of its three paths', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const expected: Record<string, Partial<SeedHealth>> = {
      '/health/liveness': { status: 'healthy', message: 'Service is alive', details: { check: 'liveness' } },
      '/health/readiness': { status: 'healthy', message: 'Service is ready', details: { ffmpeg_running: true } },
    };
    for (const [url, body] of Object.entries(expected)) {
      const response = await h.app.inject(url);
      expect(response.statusCode, url).toBe(200);
      const json = response.json<SeedHealth>();
      expect(Object.keys(json).sort(), url).toEqual(['details', 'message', 'status', 'timestamp']);
      expect(json, url).toMatchObject(body);
      expect(json.timestamp, url).toBe(`${new Date(h.clock.now()).toISOString().slice(0, 19)}Z`);
    }
    const detailed = (await h.app.inject('/health/detailed')).json<SeedHealth>();
    expect(detailed).toMatchObject({ status: 'healthy', message: 'All components healthy' });
    expect(detailed.details).toEqual({
      components: expect.objectContaining({
        heartbeat: { status: 'healthy', message: 'timers are firing' },
        'stream:cam': { status: 'healthy', message: 'state running, desired running, health healthy', state: 'running', pid: expect.any(Number) as unknown, uptime_seconds: 1 },
      }) as unknown,
    });
  });

  it('a crash-looping stream makes /health/detailed degraded (200) and ffmpeg_running false', async () => {
    const restart = { ...streamSpec('cam').restart, budget: { restarts: 1, withinMs: 60_000 } };
    const h = await appHarness({ specs: [streamSpec('cam', { restart })] });
    h.runFor('cam', 2);
    h.process('cam').exit({ code: 1, signal: null });
    h.process('cam').exit({ code: 1, signal: null });
    expect(h.supervisor.get('cam').observed).toBe('crashloop');
    const detailed = await h.app.inject('/health/detailed');
    expect(detailed.statusCode).toBe(200);
    expect(detailed.json<SeedHealth>()).toMatchObject({ status: 'degraded', message: 'Some components degraded: stream:cam: state crashloop, desired running, health unhealthy' });
    expect((await h.app.inject('/health/readiness')).json<SeedHealth>().details).toEqual({ ffmpeg_running: false });
  });

  it('unhealthy is 503 and the message names what fails', async () => {
    const h = await appHarness();
    h.daemon.phase = 'stopping';
    const response = await h.app.inject('/health/readiness');
    expect(response.statusCode).toBe(503);
    expect(response.json<SeedHealth>()).toMatchObject({ status: 'unhealthy', message: 'Service is not ready: shutdown: shutting down' });
    expect((await h.app.inject('/health/detailed')).json<SeedHealth>()).toMatchObject({ status: 'unhealthy', message: 'System unhealthy: shutdown: shutting down' });
  });
});
