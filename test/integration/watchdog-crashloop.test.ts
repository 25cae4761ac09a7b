/**
 * The VistterStream scenario end to end: ffmpeg is killed 12 times in a row. The fast layer
 * restarts it with backoff until its budget (10 restarts) is spent: the 11th kill puts the stream
 * in crashloop; the watchdog takes over (critical notice, slow retries), the stream is recovered and
 * the recovery is recorded. Same logic as the defaults, shorter figures (backoff cap 3 s).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: VistterStream, 12 kills in a row', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  afterAll(async () => {
    await nginx.stop();
  });

  it('the fast layer restarts with backoff until its budget is spent; then the watchdog recovers the stream and records it', async () => {
    const x = startWatchdogHarness(
      `
streams:
  - id: camera
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25",
           -f, flv, "${nginx.rtmpUrl('live', 'camera')}"]
    startTimeout: 10s
    restart: { backoffInitial: 200ms, backoffMax: 3s, budget: { restarts: 10, within: 10m } }
`,
      { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities },
    );
    h = x;
    const stream = x.stream('camera');
    const killed: number[] = [];
    while (killed.length < 12) {
      const pid = await waitFor(
        () => {
          const status = stream.status();
          return status.state === 'running' && status.pid !== undefined && !killed.includes(status.pid) ? status.pid : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 20, description: `run ${killed.length + 1} to be running` },
      );
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
      await x.waitForEvent('run-finished', (e) => e.pid === pid, { description: `run of pid ${pid} to end` });
    }
    const finished = x.events('run-finished');
    expect(finished.map((e) => e.reason)).toEqual(Array(12).fill('killed'));
    // 10 automatic restarts (immediate, then backoff) are the budget; the 11th kill is a crash loop.
    expect(finished.slice(0, 11).map((e) => e.next)).toEqual(['starting', ...Array<string>(9).fill('backoff'), 'crashloop']);
    expect(finished.slice(11).map((e) => e.next)).toEqual(['crashloop']);
    expect(x.events('state').filter((e) => e.to === 'crashloop').length).toBeGreaterThanOrEqual(2);

    // The watchdog took over: a critical notice, and its slow retry started run 12.
    const takeover = x.notifications.find((n) => n.kind === 'crashloop');
    expect(takeover).toMatchObject({ severity: 'critical', streamId: 'camera' });
    expect(x.recoveries.filter((e) => e.phase === 'action' && e.action === 'restart').length).toBeGreaterThanOrEqual(1);

    // Nobody kills it any more: the watchdog's slow retry brings it back, and the recovery is recorded.
    await x.waitForHealth('camera', 'healthy', { timeoutMs: 20_000 });
    await nginx.waitForPublishing('live', 'camera', { active: true, timeoutMs: 20_000 });
    const recovered = await x.waitForRecovery((e) => e.phase === 'recovered' && e.record.recoveredAt !== undefined && e.at > (takeover?.at ?? 0), {
      description: 'the recovery to be recorded',
    });
    const record = x.records().at(-1);
    expect(recovered.phase).toBe('recovered');
    expect(record).toMatchObject({ stream: 'camera', locus: 'encoder', cause: 'crashed', action: 'restart' });
    expect(record?.actions.map((a) => a.type)).toEqual(['notify', 'restart', 'notify']);
    expect(record?.detectedAfterMs).toBeGreaterThan(0);
    expect(record?.recoveredAfterMs).toBeGreaterThan(0);
    const view = x.watchdog.view('camera');
    expect(view?.recoveries[0]).toMatchObject({ locus: 'encoder', action: 'restart' });
    expect(view?.recoveryCount).toBeGreaterThanOrEqual(2);
    expect(stream.status().state).toBe('running');
  });
});
