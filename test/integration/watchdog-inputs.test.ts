/**
 * Fallback inputs end to end: the primary input (an RTMP source on nginx-rtmp) disappears; the
 * stream goes on from the fallback (a generated source) within seconds; the primary is probed
 * with ffprobe while the fallback runs, and the stream returns to it once it has been healthy
 * for `returnAfter`. Same logic as the defaults, shorter figures.
 *
 * The fast layer's recoveries are recorded like the watchdog's (issue 17, defect 8): frozen
 * (SIGSTOP), the stream is killed and restarted at its stall timeout; then the primary goes away
 * and the failover moves it to the fallback. `GET /api/v1/streams/radio` (the real HTTP API)
 * lists both with their cause, newest first, and both reach the recovery events.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { createRedactor } from '../../src/domain/redact.js';
import { EventJournal } from '../../src/events/event-journal.js';
import { buildApp } from '../../src/http/app.js';
import type { StreamDetailDto } from '../../src/http/stream-dto.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';
import { readOnlyStreams } from '../helpers/app-harness.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: fallback inputs', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;
  const publishers: LavfiPublisher[] = [];
  const apps: FastifyInstance[] = [];

  const publish = (name: string): LavfiPublisher => {
    const publisher = startLavfiPublisher(ffmpegPath ?? 'ffmpeg', nginx.rtmpUrl('live', name), 'normal');
    publishers.push(publisher);
    return publisher;
  };

  /** The radio stream: the primary from nginx-rtmp, a generated fallback, published to `output`. */
  const startRadio = (output: string, returnAfter: string): WatchdogIntegration => {
    h = startWatchdogHarness(
      `
streams:
  - id: radio
    inputs:
      - ${nginx.rtmpUrl('live', 'primary')}
      - "lavfi:testsrc2=size=320x240:rate=25"
    output: ${nginx.rtmpUrl('live', output)}
    encode: [-c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25", -pix_fmt, yuv420p, -c:a, aac, -b:a, 64k, -f, flv]
    startTimeout: 10s
    stallTimeout: 3s
    failover: { mode: priority, returnAfter: ${returnAfter}, probeInterval: 1s, probeTimeout: 4s }
`,
      { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities },
    );
    return h;
  };

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await h?.close();
    h = undefined;
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await nginx.stop();
  });

  it('a primary that disappears: the fallback takes over within seconds, and the primary comes back once healthy again', async () => {
    const primary = publish('primary');
    await nginx.waitForPublishing('live', 'primary', { active: true });
    const x = startRadio('radio-out', '4s');
    const stream = x.stream('radio');
    await x.waitForHealth('radio', 'healthy');
    const onPrimary = await nginx.waitForPublishing('live', 'radio-out', { active: true });
    expect(stream.activeInput).toBe(0);

    await primary.stop(); // the source disappears
    const goneAt = Date.now();
    const toFallback = await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'next-input' && e.toInput === 1, {
      description: 'the stream to switch to the fallback',
      timeoutMs: 20_000,
    });
    expect(toFallback.at - goneAt).toBeLessThan(12_000);
    expect(stream.activeInput).toBe(1);
    // It goes on from the fallback: a new session publishes with media flowing.
    const onFallback = await waitFor(
      async () => (await nginx.publishers('live')).find((p) => p.name === 'radio-out' && p.active && p.clientId !== onPrimary.clientId),
      { timeoutMs: 15_000, description: 'the output to be published from the fallback' },
    );
    const continuedAfter = Date.now() - goneAt;
    expect(continuedAfter).toBeLessThan(20_000);
    await x.waitForHealth('radio', 'healthy', { timeoutMs: 15_000 });
    expect(x.notifications.find((n) => n.kind === 'input-switch')).toMatchObject({ severity: 'warning', title: 'radio switched to input 1' });

    // The primary is back: probed healthy for 4 s, then the stream returns to it.
    publish('primary');
    await nginx.waitForPublishing('live', 'primary', { active: true });
    const backAt = Date.now();
    const toPrimary = await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'next-input' && e.toInput === 0, {
      description: 'the stream to return to the primary',
      timeoutMs: 30_000,
    });
    expect(toPrimary.at - backAt).toBeGreaterThanOrEqual(4_000);
    expect(stream.activeInput).toBe(0);
    await waitFor(
      async () => (await nginx.publishers('live')).find((p) => p.name === 'radio-out' && p.active && p.clientId !== onFallback.clientId),
      { timeoutMs: 15_000, description: 'the output to be published from the primary again' },
    );
    await x.waitForHealth('radio', 'healthy', { timeoutMs: 15_000 });
    expect(stream.runs()[0]?.pid).toBe(stream.status().pid);
    expect(x.notifications.at(-1)).toMatchObject({ kind: 'input-switch', severity: 'info', title: 'radio is back on input 0' });
    expect(x.watchdog.view('radio')?.input).toMatchObject({ mode: 'priority', active: 0, count: 2, switches: 2 });
  });

  it('a stall restart and an input switch are listed in recoveries with their cause', async () => {
    const primary = publish('primary');
    await nginx.waitForPublishing('live', 'primary', { active: true });
    const x = startRadio('radio-recorded', '10m');
    const redact = createRedactor(x.config.secrets);
    const journal = new EventJournal({ clock: systemClock, redact });
    journal.follow(x.supervisor.events);
    journal.followWatchdog(x.watchdog.events);
    const api = buildApp({
      supervisor: x.supervisor,
      clock: systemClock,
      health: [],
      journal,
      redact,
      references: { rtmpServers: [], notifiers: [] },
      isShuttingDown: () => false,
      watchdog: x.watchdog,
      streams: readOnlyStreams(x.supervisor),
    });
    apps.push(api);
    const base = await api.listen({ host: '127.0.0.1', port: 0 });
    const recoveries = async (): Promise<StreamDetailDto['recoveries']> => {
      const response = await fetch(`${base}/api/v1/streams/radio`);
      expect(response.status).toBe(200);
      return (await response.json() as StreamDetailDto).recoveries;
    };

    const stream = x.stream('radio');
    await x.waitForHealth('radio', 'healthy');
    expect(await recoveries()).toEqual([]);

    // 1. Frozen: the fast layer kills it at the stall timeout and restarts it.
    const frozen = stream.status().pid ?? 0;
    process.kill(frozen, 'SIGSTOP');
    await x.waitForEvent('run-finished', (e) => e.pid === frozen && e.reason === 'stalled', { description: 'the frozen run to be killed', timeoutMs: 20_000 });
    const stalled = await waitFor(async () => (await recoveries()).find((r) => r.cause === 'stalled'), {
      timeoutMs: 20_000,
      intervalMs: 200,
      description: 'the stall restart to be listed in recoveries',
    });
    expect(stalled).toMatchObject({ cause: 'stalled', action: 'restart' });
    expect(stalled.actions.map((a) => a.type)).toEqual(['restart']);
    expect(stalled.actions[0]?.reason).toMatch(/^fast layer: run stalled/);
    expect(stalled.detectedAfterSeconds).toBeCloseTo(3, 0); // the stall timeout
    expect(stalled.recoveredAt).not.toBeNull();
    expect(stream.activeInput).toBe(0);

    // 2. The primary source goes away: the failover moves the stream to the fallback.
    await primary.stop();
    await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'next-input' && e.toInput === 1, {
      description: 'the stream to switch to the fallback',
      timeoutMs: 20_000,
    });
    const listed = await waitFor(
      async () => {
        const all = await recoveries();
        return all.length >= 2 && all[0]?.actions.some((a) => a.type === 'next-input') === true ? all : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'the input switch to be listed in recoveries' },
    );
    const switched = listed[0];
    expect(switched?.action).toBe('next-input');
    expect(switched, JSON.stringify(listed, null, 1)).toBeDefined();
    expect(switched?.cause).not.toBe('unknown');
    expect(switched?.locus, JSON.stringify(switched)).toBe('input');
    expect(switched?.recoveredAt).not.toBeNull();
    expect(listed[1]).toMatchObject({ cause: 'stalled', action: 'restart' });
    expect(stream.activeInput).toBe(1);

    // Both reached the recovery events (and so the store), as the fast layer's.
    const recorded = x.recoveries.flatMap((e) => (e.phase === 'recovered' ? [e] : []));
    expect(recorded.map((e) => [e.layer, e.record.action])).toEqual([
      ['fast', 'restart'],
      ['fast', 'next-input'],
    ]);
    const sse = journal
      .recent(1_000, (e) => e.type === 'recovery')
      .map((e) => JSON.parse(e.data) as { phase?: string; layer?: string })
      .filter((e) => e.phase === 'recovered');
    expect(sse.map((e) => e.layer)).toEqual(['fast', 'fast']);
  });
});
