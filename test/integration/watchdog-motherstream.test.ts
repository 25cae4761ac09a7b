/**
 * The motherstream scenario end to end: DJs publish to nginx-rtmp, our stream relays the current
 * one (`-c copy`) to the shared output, and an ffprobe check probes that output. The output goes
 * dead while its publisher stays connected (the DJ's ffmpeg is SIGSTOPped: the relay keeps its
 * connections, nothing flows); after the continuous-failure threshold the watchdog drops the
 * publisher through nginx-rtmp's control URL, the next source in the queue goes live, and the
 * health resets. Same logic as the defaults (3 s / 30 s), shorter figures: 1 s / 6 s.
 *
 * Also: "Already publishing" — a stale session holding our name is dropped before we republish.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { processExists } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();
const KEY = 'motherKey4242';

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: motherstream relay on nginx-rtmp', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;
  const publishers: LavfiPublisher[] = [];

  const publish = (name: string): LavfiPublisher => {
    const publisher = startLavfiPublisher(ffmpegPath ?? 'ffmpeg', nginx.rtmpUrl('live', name), 'normal');
    publishers.push(publisher);
    return publisher;
  };

  const rtmpServers = () => `
rtmpServers:
  - { id: local, type: nginx-rtmp, statUrl: "${nginx.statUrl}", controlUrl: "${nginx.controlUrl}" }
`;

  function start(yaml: string): WatchdogIntegration {
    h = startWatchdogHarness(yaml, { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities, env: { MOTHER_KEY: KEY } });
    return h;
  }

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    // A frozen DJ must stay connected for the whole test: nginx would drop an idle publisher after 10 s.
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx', dropIdlePublisher: '120s' });
  });

  afterEach(async () => {
    for (const p of publishers) {
      try {
        process.kill(-p.pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await h?.close();
    h = undefined;
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    const pid = nginx.pid;
    await nginx.stop();
    expect(processExists(pid)).toBe(false);
  });

  it('output dead, publisher connected: dropped at nginx-rtmp after 6 s without a success, next DJ live, health reset', async () => {
    const dj1 = publish('dj1');
    publish('dj2');
    await nginx.waitForPublishing('live', 'dj1', { active: true });
    await nginx.waitForPublishing('live', 'dj2', { active: true });
    const output = `rtmp://127.0.0.1:${nginx.rtmpPort}/live/mother-\${MOTHER_KEY}`;
    const x = start(`${rtmpServers()}
streams:
  - id: mother
    inputs: ["${nginx.rtmpUrl('live', 'dj1')}", "${nginx.rtmpUrl('live', 'dj2')}"]
    output: "${output}"
    encode: [-c, copy, -f, flv]
    rtmpServer: local
    failover: rotate
    startTimeout: 10s
    stallTimeout: 60s
    onUnhealthy: [notify, drop-publisher]
    checks:
      - { type: ffprobe, name: output, url: "${output}", interval: 1s, timeout: 4s, unhealthyAfter: 6s, expect: { video: true, audio: true } }
`);
    await x.waitForHealth('mother', 'healthy', { timeoutMs: 30_000 });
    const relay = await nginx.waitForPublishing('live', `mother-${KEY}`, { active: true });
    expect(x.stream('mother').activeInput).toBe(0);

    // The DJ's encoder freezes: its connection (and our relay's) stay open, nothing flows.
    process.kill(-dj1.pid, 'SIGSTOP');
    const frozenAt = Date.now();
    const drop = await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'drop-publisher', {
      description: 'the watchdog to drop the publisher',
      timeoutMs: 30_000,
    });
    const detectedAfter = (drop.at - frozenAt) / 1_000;
    expect(detectedAfter).toBeGreaterThanOrEqual(6); // 6 s of continuous failure, never earlier
    expect(detectedAfter).toBeLessThan(20);
    expect(x.notifications[0]).toMatchObject({ kind: 'unhealthy', severity: 'warning', streamId: 'mother' });

    // Our old session was dropped at nginx (by name and client id); the frozen DJ was not touched.
    await waitFor(async () => (await nginx.publishers('live')).every((p) => p.clientId !== relay.clientId), {
      timeoutMs: 10_000,
      description: 'nginx to forget the dropped relay session',
    });
    expect(await nginx.isPublishing('live', 'dj1')).toBe(true);

    // The next source in the queue goes live and the health is reset, then healthy again.
    await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'next-input', { description: 'the queue to move on' });
    expect(x.stream('mother').activeInput).toBe(1);
    // The output check failed: it stays failing until it passes again (no "healthy" on progress alone).
    const view = x.watchdog.view('mother');
    expect(view?.report.health).not.toBe('healthy');
    const relay2 = await nginx.waitForPublishing('live', `mother-${KEY}`, { active: true, timeoutMs: 20_000 });
    expect(relay2.clientId).not.toBe(relay.clientId);
    await x.waitForHealth('mother', 'healthy', { timeoutMs: 30_000 });
    const recovered = await x.waitForRecovery((e) => e.phase === 'recovered', { description: 'the recovery to be recorded' });
    expect(recovered.phase === 'recovered' && recovered.record).toMatchObject({
      stream: 'mother',
      locus: 'output',
      cause: 'check-failed',
      action: 'drop-publisher',
    });
    const record = x.records()[0];
    expect(record?.detectedAfterMs).toBeGreaterThanOrEqual(6_000);
    expect(record?.recoveredAfterMs).toBeGreaterThan(0);
    const runs = x.stream('mother').runs();
    expect(runs[0]?.pid).toBe(x.stream('mother').status().pid);
    expect(x.notifications.map((n) => n.kind)).toEqual(expect.arrayContaining(['unhealthy', 'input-switch', 'recovered']));
    expect(JSON.stringify([x.recoveries, x.notifications, x.watchdog.view('mother')])).not.toContain(KEY);
  });

  it('"Already publishing": the stale session holding our name is dropped, then we publish', async () => {
    const stale = publish(`stale-${KEY}`);
    await nginx.waitForPublishing('live', `stale-${KEY}`, { active: true });
    const before = (await nginx.publishers('live')).find((p) => p.name === `stale-${KEY}`);
    const x = start(`${rtmpServers()}
streams:
  - id: cam
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25",
           -f, flv, "rtmp://127.0.0.1:${nginx.rtmpPort}/live/stale-\${MOTHER_KEY}"]
    rtmpServer: local
    startTimeout: 10s
`);
    await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'drop-stale-session', { description: 'the stale session to be dropped' });
    expect(x.events('run-finished')[0]?.lastError).toMatch(/Operation not permitted|Already publishing/);
    await stale.exited; // nginx dropped it: its ffmpeg fails
    const ours = await waitFor(
      async () => (await nginx.publishers('live')).find((p) => p.name === `stale-${KEY}` && p.clientId !== before?.clientId && p.active),
      { timeoutMs: 15_000, description: 'our stream to publish under the freed name' },
    );
    expect(ours).toBeDefined();
    await x.waitForHealth('cam', 'healthy');
    expect(x.stream('cam').status().state).toBe('running');
  });
});
