import { readOnlyStreams } from '../../../test/helpers/app-harness.js';
import { describe, expect, it } from 'vitest';
import { appHarness } from '../../../test/helpers/app-harness.js';
import { ffprobeCheck, KEY, spec, watchdogHarness } from '../../../test/helpers/watchdog-harness.js';
import { createRedactor } from '../../domain/redact.js';
import { buildApp } from '../app.js';
import { EventJournal } from '../../events/event-journal.js';
import type { StreamDto, StreamDetailDto, WatchdogStatusDto } from '../stream-dto.js';

describe('GET /api/v1/watchdog/status', () => {
  it('without a watchdog: reports per stream what the fast layer knows, with null for what nobody knows yet', async () => {
    const h = await appHarness();
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
          healthReason: 'process is starting',
          watchdog: false,
          consecutiveUnhealthy: 0,
          lastHealthyAt: null,
          lastRecoveryAt: null,
          recoveryCount: 0,
          checkIntervalSeconds: null,
          stallTimeoutSeconds: 10,
          startTimeoutSeconds: 30,
          failingChecks: [],
          degraded: [],
          decision: null,
          crashloopSince: null,
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

  it('is open without the token when one is set (a masked read)', async () => {
    const response = await (await appHarness({ token: 'tok-tok-tok' })).app.inject('/api/v1/watchdog/status');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('tok-tok-tok');
  });
});

describe('with the watchdog layer', () => {
  it('reports failing checks with their last messages, the check interval, and both layers\' recoveries', async () => {
    const x = watchdogHarness([
      spec('cam', { startTimeoutMs: 5_000, rtmpServer: 'local', checks: [ffprobeCheck('output', 'cam', { unhealthyAfterMs: 6_000, intervalMs: 2_000 })] }),
      spec('idle', { desired: 'stopped' }),
    ]);
    try {
      const redact = createRedactor([KEY]);
      const journal = new EventJournal({ clock: x.clock, redact });
      journal.follow(x.supervisor.events);
      journal.followWatchdog(x.watchdog.events);
      const app = buildApp({
        supervisor: x.supervisor,
        watchdog: x.watchdog,
        clock: x.clock,
        health: [],
        journal,
        redact,
        references: { rtmpServers: ['local'], notifiers: ['ops'] },
        isShuttingDown: () => false,
        streams: readOnlyStreams(x.supervisor),
      });
      await x.run(8_000);
      const healthyAt = x.clock.now();
      x.probe('cam', 'output').outcome = { ok: false, message: `rtmp://127.0.0.1/live/cam-${KEY}: Input/output error`, durationMs: 100 };
      await x.run(9_000); // failing 6 s without a success: unhealthy, restarted (the checks reset)
      x.probe('cam', 'output').outcome = { ok: true, message: 'video h264 320x240, audio aac 44100 Hz', durationMs: 100 };
      const down = (await app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
      expect(down).toMatchObject({ id: 'cam', watchdog: true, checkIntervalSeconds: 2, recoveryCount: 1 });
      expect(down?.decision).toMatch(/^(waiting|health unknown)/);
      const idle = (await app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[1];
      expect(idle).toMatchObject({ id: 'idle', watchdog: true, health: 'unknown', checkIntervalSeconds: 1 }); // no checks: the progress sampling period

      const restartedAt = x.recoveries.find((e) => e.phase === 'action')?.at ?? 0;
      await x.run(3_000);
      const detail = (await app.inject('/api/v1/streams/cam')).json<StreamDetailDto>();
      expect(detail.checks.map((c) => [c.name, c.status])).toEqual([
        ['progress', 'pass'],
        ['output', 'pass'],
      ]);
      expect(detail.checks[1]).toMatchObject({ lastMessage: 'video h264 320x240, audio aac 44100 Hz', intervalSeconds: 2, timeoutSeconds: 10, skippedBeats: 0 });
      expect(detail.health).toBe('healthy');
      // The list shows when a check last ran: the newest of the stream's checks.
      const newest = Math.max(...detail.checks.map((c) => Date.parse(c.lastCheckedAt ?? '')));
      const listed = (await app.inject('/api/v1/streams')).json<StreamDto[]>()[0];
      expect(listed?.lastCheckAt).toBe(new Date(newest).toISOString());
      expect(detail.lastCheckAt).toBe(listed?.lastCheckAt);
      expect(detail.recoveries).toHaveLength(1);
      expect(detail.recoveries[0]).toMatchObject({
        cause: 'check-failed',
        locus: 'output',
        action: 'restart',
        detail: 'output: rtmp://127.0.0.1/live/***: Input/output error',
        detectedAt: new Date(restartedAt).toISOString(),
      });
      expect(detail.recoveries[0]?.detectedAfterSeconds).toBeGreaterThanOrEqual(6);
      expect(detail.recoveries[0]?.recoveredAfterSeconds).toBeGreaterThan(0);

      const status = (await app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
      expect(status).toMatchObject({ health: 'healthy', failingChecks: [], consecutiveUnhealthy: 0, recoveryCount: 1 });
      expect(status?.lastRecoveryAt).toBe(new Date(restartedAt).toISOString());
      expect(Date.parse(status?.lastHealthyAt ?? '')).toBeGreaterThan(healthyAt);

      // While failing: the failing checks with their last messages.
      x.probe('cam', 'output').outcome = { ok: false, message: 'no video stream (found: audio aac)', durationMs: 100 };
      await x.run(16_000);
      const failing = (await app.inject('/api/v1/watchdog/status')).json<WatchdogStatusDto>().streams[0];
      expect(failing?.health).toBe('unhealthy');
      expect(failing?.failingChecks).toMatchObject([{ name: 'output', type: 'ffprobe', informational: false, message: 'no video stream (found: audio aac)' }]);
      expect(failing?.consecutiveUnhealthy).toBeGreaterThanOrEqual(3);

      const events = journal.since(0).events.map((e) => e.type);
      expect(events).toContain('recovery');
      expect(JSON.stringify(journal.since(0).events)).not.toContain(KEY);
      expect(JSON.stringify(await app.inject('/api/v1/streams/cam').then((r) => r.body))).not.toContain(KEY);
    } finally {
      await x.close();
    }
  });
});
