import { describe, expect, it } from 'vitest';
import { appHarness } from '../../../test/helpers/app-harness.js';
import { pythonUtcIsoformat } from '../../domain/seed/seed-time.js';
import type { WatchdogStatusDto } from '../stream-dto.js';

describe('GET /api/watchdog/status (the VistterStream shape)', () => {
  it('lists streams wanted running with the v1 figures, Python times and no other field', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    h.clock.advance(250);
    h.process('cam').exit({ code: 1, signal: null }); // an immediate automatic restart
    const response = await h.app.inject('/api/watchdog/status');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ watchdog_count: number; watchdogs: Record<string, Record<string, unknown>> }>();
    const v1 = (await h.app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
    expect(body).toEqual({
      watchdog_count: 1,
      watchdogs: {
        cam: {
          running: false, // no watchdog layer in this harness
          consecutive_unhealthy: v1?.consecutiveUnhealthy,
          last_healthy_time: pythonUtcIsoformat(Date.parse(v1?.lastHealthyAt ?? '')),
          last_recovery_time: pythonUtcIsoformat(h.clock.now()),
          recovery_count: 1,
          check_interval: null,
        },
      },
    });
    expect(body.watchdogs.cam?.last_recovery_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
  });
});
