/**
 * The radio scenarios end to end, with real ffmpeg publishing to nginx-rtmp: a frozen stream
 * (SIGSTOP), a bitrate collapse (the picture turns to a still black frame), and a CPU threshold
 * (a process check with a very low limit) — each with the right health state and action.
 * Same logic as the defaults, shorter figures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { liveProbeGroups } from '../../src/adapters/probes/run-process.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { startSilentTcpServer } from '../helpers/silent-tcp-server.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

const ENCODE = '-c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25", -pix_fmt, yuv420p';

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: radio', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;

  function start(streams: string): WatchdogIntegration {
    h = startWatchdogHarness(`streams:\n${streams}`, { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities });
    return h;
  }

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

  it('frozen (SIGSTOP): unhealthy within seconds, killed as stalled by the fast layer, running and healthy again', async () => {
    const x = start(`
  - id: radio
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -re, -f, lavfi, -i, "sine=frequency=440:sample_rate=44100",
           ${ENCODE}, -c:a, aac, -b:a, 64k, -f, flv, "${nginx.rtmpUrl('live', 'frozen')}"]
    stallTimeout: 6s
    checks:
      - { type: progress, unhealthyAfter: 1s }
`);
    await x.waitForHealth('radio', 'healthy');
    const pid = x.stream('radio').status().pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    await x.waitForHealth('radio', 'unhealthy', { timeoutMs: 6_000 });
    expect(x.stream('radio').status()).toMatchObject({ state: 'running' });
    expect(x.stream('radio').status().healthReason).toMatch(/^progress: no advancing progress for \d(\.\d)? s$/);
    expect(Date.now() - frozenAt).toBeLessThan(6_000); // shown before the stall timeout acts
    const stalled = await x.waitForEvent('run-finished', (e) => e.pid === pid, { description: 'the frozen run to end', timeoutMs: 15_000 });
    expect(stalled).toMatchObject({ reason: 'stalled', signal: 'SIGKILL' });
    await x.waitForHealth('radio', 'healthy', { timeoutMs: 20_000 });
    expect(x.stream('radio').status().pid).not.toBe(pid);
    const health = x.events('health').map((e) => e.to);
    expect(health).toEqual(['healthy', 'unhealthy', 'unknown', 'healthy']);
    // A stall is the fast layer's: the watchdog reports it, never acts on it too; the fast layer's recovery is recorded.
    expect(x.recoveries.filter((e) => e.phase === 'action')).toEqual([]);
    expect(x.records()).toMatchObject([{ stream: 'radio', cause: 'stalled', action: 'restart' }]);
  });

  it('bitrate collapse (the picture turns to a still black frame): degraded, a warning, no restart', async () => {
    const x = start(`
  - id: radio
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -vf, "drawbox=enable='gte(t,14)':color=black:t=fill",
           ${ENCODE}, -f, flv, "${nginx.rtmpUrl('live', 'collapse')}"]
    checks:
      - { type: progress, degraded: { warmup: 2s, bitrate: { learn: 6s, for: 3s } } }
`);
    await x.waitForHealth('radio', 'healthy');
    await x.waitForHealth('radio', 'degraded', { timeoutMs: 30_000 });
    const status = x.stream('radio').status();
    expect(status.healthReason).toMatch(/^degraded: bitrate \d+ kb\/s below 20 % of baseline \d+ kb\/s for \d+ s$/);
    expect(status.uptimeSeconds).toBeGreaterThan(14);
    expect(x.notifications).toMatchObject([{ kind: 'degraded', severity: 'warning', streamId: 'radio' }]);
    expect(x.watchdog.view('radio')?.report.degradation.map((b) => b.rule)).toEqual(['bitrate']);
    // A warning only: the same process keeps running for a while more, nothing is done.
    const uptime = status.uptimeSeconds;
    await waitFor(() => x.stream('radio').status().uptimeSeconds >= uptime + 4, { timeoutMs: 10_000, description: 'the stream to run 4 s more' });
    expect(x.stream('radio').status().health).toBe('degraded');
    expect(x.events('run-started')).toHaveLength(1);
    expect(x.recoveries).toEqual([]);
    expect(await nginx.isPublishing('live', 'collapse')).toBe(true);
  });

  it('a CPU threshold held for its duration: the process check fails, unhealthy, restarted; informational: only reported', async () => {
    const cpuCheck = (informational: boolean) => `{ type: process, name: cpu, maxCpuPercent: 1, for: 1s, interval: 1s, informational: ${informational} }`;
    const args = (name: string) => `[-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", ${ENCODE}, -f, flv, "${nginx.rtmpUrl('live', name)}"]`;
    const x = start(`
  - id: radio
    args: ${args('cpu')}
    startTimeout: 3s
    checks: [${cpuCheck(false)}]
  - id: watched
    args: ${args('cpu-info')}
    startTimeout: 3s
    checks: [${cpuCheck(true)}]
`);
    const pid = await waitFor(() => x.stream('radio').status().pid, { description: 'radio to run' });
    const restart = await x.waitForRecovery((e) => e.phase === 'action' && e.streamId === 'radio' && e.action === 'restart', {
      description: 'the watchdog to restart the stream over its CPU',
      timeoutMs: 20_000,
    });
    expect(restart.phase === 'action' && restart.reason).toMatch(/^unhealthy for \d+ s: cpu: process \d+: cpu [\d.]+% above 1% for [\d.]+ s$/);
    const unhealthy = x.events('health').find((e) => e.streamId === 'radio' && e.to === 'unhealthy');
    expect(unhealthy?.reason).toMatch(/^cpu: process \d+: cpu [\d.]+% above 1% for/);
    await x.waitForEvent('run-finished', (e) => e.pid === pid && e.reason === 'restarted', { description: 'the run to be restarted' });
    await waitFor(() => x.stream('radio').status().pid !== pid && x.stream('radio').status().state === 'running', { description: 'a new run' });

    // The informational twin is reported, never acted on, and stays healthy.
    const watched = await waitFor(() => (x.watchdog.view('watched')?.report.informational.length === 1 ? x.watchdog.view('watched') : undefined), {
      description: 'the informational twin to report its failing cpu check',
    });
    expect(watched.report.health).toBe('healthy');
    expect(watched.report.informational).toMatchObject([{ name: 'cpu', type: 'process' }]);
    expect(x.recoveries.filter((e) => e.streamId === 'watched')).toEqual([]);
    expect(x.events('run-started').filter((e) => e.streamId === 'watched')).toHaveLength(1);
  });

  it('a probe that hangs (a server that never answers) ends at its timeout as a failure; probes never pile up', async () => {
    const silent = await startSilentTcpServer();
    try {
      const x = start(`
  - id: radio
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", ${ENCODE}, -f, flv, "${nginx.rtmpUrl('live', 'hung')}"]
    startTimeout: 2s
    checks:
      - { type: ffprobe, name: upstream, url: "rtmp://127.0.0.1:${silent.port}/live/x", interval: 500ms, timeout: 1500ms, failureThreshold: 3, informational: true }
`);
      let mostProbes = 0;
      const check = await waitFor(
        () => {
          mostProbes = Math.max(mostProbes, liveProbeGroups().length);
          const view = x.watchdog.view('radio')?.checks.find((c) => c.name === 'upstream');
          return view?.status === 'failing' ? view : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 20, description: 'the hung check to be failing' },
      );
      expect(check.lastMessage).toMatch(/timed out|Input\/output error/);
      expect(check.skippedBeats).toBeGreaterThan(0); // slower than its interval: beats skipped, never queued
      expect(mostProbes).toBeLessThanOrEqual(1);
      expect(silent.accepted()).toBeGreaterThanOrEqual(3);
      expect(x.stream('radio').status().health).toBe('healthy'); // informational
    } finally {
      await h?.close();
      h = undefined;
      await silent.close();
    }
  });
});
