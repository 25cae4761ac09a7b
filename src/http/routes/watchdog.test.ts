import { describe, expect, it } from 'vitest';
import { appHarness } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';
import type { WatchdogStatusDto } from '../stream-dto.js';

describe('GET /api/v1/watchdog/status', () => {
  it('reports per stream what the fast layer knows, with null for what nobody knows yet', async () => {
    const h = appHarness();
    const start = h.clock.now();
    const first = (await h.app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>();
    expect(first).toEqual({
      generatedAt: new Date(start).toISOString(),
      streams: [
        {
          id: 'cam',
          state: 'starting',
          desired: 'running',
          health: 'unknown',
          consecutiveUnhealthy: 0,
          lastHealthyAt: null,
          lastRecoveryAt: null,
          recoveryCount: 0,
          checkIntervalSeconds: null,
          stallTimeoutSeconds: 10,
          startTimeoutSeconds: 30,
        },
        expect.objectContaining({ id: 'idle', state: 'stopped', desired: 'stopped', lastHealthyAt: null, recoveryCount: 0 }) as unknown,
      ],
    });

    h.runFor('cam', 2); // healthy from start + 1 s
    const healthyUntil = h.clock.now();
    h.process('cam').exit({ code: 1, signal: null }); // immediate restart
    h.clock.advance(500);
    const crashedAt = h.clock.now();
    h.process('cam').exit({ code: 1, signal: null }); // then a 1 s backoff
    const down = (await h.app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
    expect(down).toMatchObject({
      state: 'backoff',
      health: 'unhealthy',
      consecutiveUnhealthy: 2,
      lastHealthyAt: new Date(healthyUntil).toISOString(),
      lastRecoveryAt: new Date(crashedAt).toISOString(),
      recoveryCount: 2,
    });

    h.clock.advance(1_200); // backoff over: a new run
    h.runFor('cam', 2);
    const back = (await h.app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
    expect(back).toMatchObject({
      state: 'running',
      health: 'healthy',
      consecutiveUnhealthy: 0,
      lastHealthyAt: new Date(h.clock.now()).toISOString(),
      lastRecoveryAt: new Date(crashedAt).toISOString(),
      recoveryCount: 2,
    });

    // A requested restart or stop is not a recovery.
    await h.app.inject({ method: 'POST', url: '/api/v1/streams/cam/restart' });
    h.exitSignalled();
    expect((await h.app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0]?.recoveryCount).toBe(2);
  });

  it('needs the token when one is set', async () => {
    const response = await appHarness({ token: 'tok-tok-tok' }).app.inject('/api/v1/watchdog/status');
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('UNAUTHORIZED');
  });
});
