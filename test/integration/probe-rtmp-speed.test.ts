/**
 * The motherstream seed's ffprobe check of an RTMP URL, as its users run it: a real publisher on
 * a real nginx-rtmp, a 3 s interval. A healthy probe must take well under the interval (with
 * ffprobe's default 5 MB / 5 s budget it took 2–6 s, so every other beat was skipped and the log
 * said so every 6 s). A probe that really is slower than its interval is warned about once per
 * episode of skipped beats, not at every beat.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { FfprobeProbe } from '../../src/adapters/probes/ffprobe-probe.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { recordingLogger, type Logged } from '../fakes/recording-logger.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();
const never = new AbortController().signal;
const SKIPPED = 'check skipped a beat: its previous probe is still running (slower than its interval)';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('ffprobe of an RTMP URL on nginx-rtmp', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let dir: string;
  let h: WatchdogIntegration | undefined;
  const publishers: LavfiPublisher[] = [];

  const publish = async (name: string, gop?: number): Promise<string> => {
    const url = nginx.rtmpUrl('live', name);
    publishers.push(startLavfiPublisher(ffmpegPath ?? 'ffmpeg', url, 'normal', gop === undefined ? {} : { gop }));
    await nginx.waitForPublishing('live', name, { timeoutMs: 20_000, active: true });
    return url;
  };

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    dir = mkdtempSync(join(tmpdir(), 'streamwarden-probe-speed-'));
  });

  afterEach(async () => {
    await Promise.all([h?.close(), ...publishers.splice(0).map((p) => p.stop())]);
    h = undefined;
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await nginx.stop();
  });

  it('a healthy probe of a live stream (keyframe every second) takes well under the 3 s interval', async () => {
    const url = await publish('fast-probe');
    const probe = new FfprobeProbe({ clock: systemClock, ffprobePath: ffprobePath ?? 'ffprobe', url, expect: { video: true, audio: true }, timeoutMs: 10_000 });
    const durations: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const result = await probe.run(never);
      expect(result.ok, result.message).toBe(true);
      durations.push(result.durationMs);
    }
    console.log(`ffprobe of a live RTMP stream: ${durations.join(', ')} ms, median ${median(durations)} ms`);
    expect(median(durations)).toBeLessThan(1_500);
    expect(probe.usesFullBudget).toBe(false);
  });

  it('a stream with a long GOP (5 s) still shows its video: the probe falls back to the full budget', async () => {
    const url = await publish('long-gop', 125);
    const probe = new FfprobeProbe({ clock: systemClock, ffprobePath: ffprobePath ?? 'ffprobe', url, expect: { video: true, audio: true }, timeoutMs: 15_000 });
    for (let run = 0; run < 2; run += 1) {
      const result = await probe.run(never);
      expect(result.ok, result.message).toBe(true);
      expect(result.message).toMatch(/video h264 320x240/);
    }
    expect(probe.usesFullBudget).toBe(true);
  });

  it('3 s interval: no skipped-beat warning while healthy; one warning per episode of slow probes', async () => {
    // ffprobe behind a delay the test sets: 0 (the real speed) or seconds more than the interval.
    const delayFile = join(dir, 'delay');
    const wrapper = join(dir, 'ffprobe');
    writeFileSync(delayFile, '0');
    writeFileSync(wrapper, `#!/bin/sh\nsleep "$(cat '${delayFile}')"\nexec '${ffprobePath ?? 'ffprobe'}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const logged: Logged[] = [];
    const output = nginx.rtmpUrl('live', 'seed-out');
    h = startWatchdogHarness(
      `
streams:
  - id: seed
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -re, -f, lavfi, -i, "sine=frequency=440:sample_rate=44100",
           -c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25", -pix_fmt, yuv420p, -c:a, aac, -b:a, 64k, -f, flv, "${output}"]
    checks:
      - { type: ffprobe, name: output, url: "${output}", interval: 3s, timeout: 10s, unhealthyAfter: 30s, expect: { video: true, audio: true } }
`,
      { ffmpegPath: ffmpegPath ?? '', ffprobePath: wrapper, capabilities, logger: recordingLogger(logged) },
    );
    const x = h;
    const check = () => x.watchdog.view('seed')?.checks.find((c) => c.name === 'output');
    const warnings = () => logged.filter((l) => l.msg === SKIPPED).length;
    const caughtUp = () => logged.filter((l) => l.msg === 'check keeps up with its interval again').length;
    await waitFor(() => check()?.status === 'passing', { timeoutMs: 30_000, intervalMs: 100, description: 'the output check to pass' });

    // Healthy: four more beats, none skipped, nothing said. (Before the stream was published a
    // probe may have waited on nginx longer than the interval: that start-up episode is over.)
    const beatsAt = check()?.lastCheckedAt ?? 0;
    const skippedBefore = check()?.skippedBeats ?? 0;
    const warnedBefore = warnings();
    await waitFor(() => (check()?.lastCheckedAt ?? 0) >= beatsAt + 4 * 3_000 - 500, { timeoutMs: 20_000, intervalMs: 100, description: 'four healthy beats' });
    expect(check()?.skippedBeats).toBe(skippedBefore);
    expect(warnings()).toBe(warnedBefore);
    const caughtUpBefore = caughtUp();

    // Probes 4 s slower: each run skips a beat; one warning for the whole spell.
    writeFileSync(delayFile, '4');
    await waitFor(() => warnings() > warnedBefore, { timeoutMs: 20_000, intervalMs: 100, description: 'the first skipped beat' });
    const skippedAtWarning = check()?.skippedBeats ?? 0;
    await waitFor(() => (check()?.skippedBeats ?? 0) >= skippedAtWarning + 2, { timeoutMs: 30_000, intervalMs: 100, description: 'two more skipped beats' });
    expect(warnings()).toBe(warnedBefore + 1);

    // Fast again: the episode ends (said once); slow again: a new episode, a second warning.
    writeFileSync(delayFile, '0');
    await waitFor(() => caughtUp() > caughtUpBefore, { timeoutMs: 20_000, intervalMs: 100, description: 'the check to keep up again' });
    writeFileSync(delayFile, '4');
    await waitFor(() => warnings() > warnedBefore + 1, { timeoutMs: 20_000, intervalMs: 100, description: 'the second episode' });
    const skippedAtSecond = check()?.skippedBeats ?? 0;
    await waitFor(() => (check()?.skippedBeats ?? 0) >= skippedAtSecond + 1, { timeoutMs: 20_000, intervalMs: 100, description: 'one more skipped beat' });
    expect(warnings()).toBe(warnedBefore + 2);
    expect(caughtUp()).toBe(caughtUpBefore + 1);
    expect(x.stream('seed').status().health).toBe('healthy');
  });
});
