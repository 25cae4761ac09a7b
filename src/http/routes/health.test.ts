import { describe, expect, it } from 'vitest';
import { appHarness, streamSpec } from '../../../test/helpers/app-harness.js';
import type { HealthReport } from '../health-report.js';

const PAIRS = [
  ['/livez', '/health/liveness'],
  ['/readyz', '/health/readiness'],
] as const;

describe('health endpoints', () => {
  it.each(PAIRS)('%s and %s judge the same (the second in the radio module\'s shape)', async (short, long) => {
    const h = await appHarness();
    for (const live of [true, false]) {
      h.daemon.live = live;
      const a = await h.app.inject(short);
      const b = await h.app.inject(long);
      expect(a.statusCode).toBe(live ? 200 : 503);
      expect(b.statusCode).toBe(a.statusCode);
      expect(a.json()).toEqual(live ? { status: 'pass' } : { status: 'fail', failing: [{ name: 'heartbeat', message: 'timers stopped' }] });
      expect(b.json<{ status: string; message: string }>()).toMatchObject(
        live ? { status: 'healthy' } : { status: 'unhealthy', message: expect.stringContaining('heartbeat: timers stopped') as unknown },
      );
    }
  });

  it('/livez looks only at the daemon itself: starting, stopping and broken streams do not fail it', async () => {
    const h = await appHarness({ startStreams: false });
    expect((await h.app.inject('/livez')).statusCode).toBe(200);
    h.daemon.phase = 'stopping';
    expect((await h.app.inject('/livez')).statusCode).toBe(200);
  });

  it('/readyz is 503 before the first reconcile and while shutting down, 200 in between', async () => {
    const h = await appHarness({ startStreams: false });
    const starting = await h.app.inject('/readyz?verbose');
    expect(starting.statusCode).toBe(503);
    expect(starting.json<HealthReport>()).toEqual({
      status: 'fail',
      components: [
        { name: 'heartbeat', kind: 'liveness', status: 'pass', message: 'timers are firing' },
        { name: 'reconcile', kind: 'readiness', status: 'fail', message: 'starting' },
        { name: 'shutdown', kind: 'readiness', status: 'pass', message: 'no' },
      ],
    });
    h.daemon.phase = 'running';
    expect((await h.app.inject('/readyz')).statusCode).toBe(200);
    h.daemon.phase = 'stopping';
    const stopping = await h.app.inject('/readyz');
    expect(stopping.statusCode).toBe(503);
    expect(stopping.json()).toEqual({ status: 'fail', failing: [{ name: 'shutdown', message: 'shutting down' }] });
  });

  it('/healthz?verbose lists every component and every stream; a crash-looping stream fails its component, the report only warns', async () => {
    const restart = { ...streamSpec('cam').restart, budget: { restarts: 1, withinMs: 60_000 } };
    const h = await appHarness({ specs: [streamSpec('cam', { restart }), streamSpec('idle', { desired: 'stopped' })] });
    h.runFor('cam', 2);
    const healthy = await h.app.inject('/healthz?verbose');
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json<HealthReport>().status).toBe('pass');
    expect(healthy.json<HealthReport>().components.filter((c) => c.kind === 'stream')).toEqual([
      { name: 'stream:cam', kind: 'stream', status: 'pass', message: 'state running, desired running, health healthy' },
      { name: 'stream:idle', kind: 'stream', status: 'pass', message: 'state stopped, desired stopped, health unknown' },
    ]);

    h.process('cam').exit({ code: 1, signal: null }); // immediate restart
    h.process('cam').exit({ code: 1, signal: null }); // the one restart of the budget is spent: crashloop
    expect(h.supervisor.get('cam').observed).toBe('crashloop');
    const response = await h.app.inject('/healthz?verbose');
    expect(response.statusCode).toBe(200);
    const report = response.json<HealthReport>();
    expect(report.status).toBe('warn');
    expect(report.components.find((c) => c.name === 'stream:cam')).toMatchObject({ status: 'fail', message: 'state crashloop, desired running, health unhealthy' });
    expect((await h.app.inject('/healthz')).json()).toEqual({ status: 'warn' });
  });

  it('/healthz fails when the daemon itself does', async () => {
    const h = await appHarness();
    h.daemon.live = false;
    const response = await h.app.inject('/healthz?verbose');
    expect(response.statusCode).toBe(503);
    expect(response.json<HealthReport>().components[0]).toEqual({ name: 'heartbeat', kind: 'liveness', status: 'fail', message: 'timers stopped' });
  });
});
