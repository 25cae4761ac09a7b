/**
 * Fallback inputs end to end: the primary input (an RTMP source on nginx-rtmp) disappears; the
 * stream goes on from the fallback (a generated source) within seconds; the primary is probed
 * with ffprobe while the fallback runs, and the stream returns to it once it has been healthy
 * for `returnAfter`. Same logic as the defaults, shorter figures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: fallback inputs', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;
  const publishers: LavfiPublisher[] = [];

  const publish = (name: string): LavfiPublisher => {
    const publisher = startLavfiPublisher(ffmpegPath ?? 'ffmpeg', nginx.rtmpUrl('live', name), 'normal');
    publishers.push(publisher);
    return publisher;
  };

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
  });

  afterEach(async () => {
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
    const x = startWatchdogHarness(
      `
streams:
  - id: radio
    inputs:
      - ${nginx.rtmpUrl('live', 'primary')}
      - "lavfi:testsrc2=size=320x240:rate=25"
    output: ${nginx.rtmpUrl('live', 'radio-out')}
    encode: [-c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25", -pix_fmt, yuv420p, -c:a, aac, -b:a, 64k, -f, flv]
    startTimeout: 10s
    stallTimeout: 3s
    failover: { mode: priority, returnAfter: 4s, probeInterval: 1s, probeTimeout: 4s }
`,
      { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities },
    );
    h = x;
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
});
