/**
 * The radio seed's CPU gauge, as its users scrape it: the built daemon runs a real ffmpeg that
 * encodes a test picture to a real nginx-rtmp, and GET /metrics shows, per stream, the CPU that
 * ffmpeg used between its last two samples (`streamwarden_process_cpu_usage_ratio`, 1 = one core).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfigHead, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const nginxPath = findNginxRtmp();

describe.skipIf(ffmpegPath === undefined || nginxPath === undefined)('daemon /metrics: the per-stream CPU gauge', () => {
  let nginx: NginxRtmp;
  let dir: string;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-cpu-metric-'));
  });

  afterAll(async () => {
    await daemon?.stop();
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a running encoder shows its CPU use; a stopped stream shows none', async () => {
    daemon = await startDaemon(
      dir,
      (port) => `${daemonConfigHead({ port, store: path.join(dir, 'state.db'), ffmpeg: ffmpegPath ?? 'ffmpeg' })}
streams:
  - id: radio
    args: [-re, -f, lavfi, -i, "testsrc2=size=640x360:rate=25", -c:v, libx264, -preset, veryfast, -g, "50", -pix_fmt, yuv420p,
           -f, flv, "${nginx.rtmpUrl('live', 'radio')}"]
  - id: idle
    desired: stopped
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", -f, flv, "${nginx.rtmpUrl('live', 'idle')}"]
`,
    );
    const d = daemon;
    const pid = await waitFor(
      async () => {
        const streams = (await (await fetch(`${d.base}/api/v1/streams`)).json()) as { id: string; state: string; pid?: number }[];
        const radio = streams.find((s) => s.id === 'radio');
        return radio?.state === 'running' ? radio.pid : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'the radio stream to run' },
    );
    d.track(pid);
    await nginx.waitForPublishing('live', 'radio', { timeoutMs: 20_000, active: true });

    // Sampled every 5 s: the gauge appears with the second sample of the process.
    const line = /^streamwarden_process_cpu_usage_ratio\{stream="radio"\} (\S+)$/m;
    const text = await waitFor(
      async () => {
        const scrape = await (await fetch(`${d.base}/metrics`)).text();
        return line.test(scrape) ? scrape : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, description: 'the CPU gauge of the radio stream' },
    );
    expect(text).toMatch(/^# TYPE streamwarden_process_cpu_usage_ratio gauge$/m);
    expect(text).toMatch(/^# HELP streamwarden_process_cpu_usage_ratio .+$/m);
    const ratio = Number(line.exec(text)?.[1]);
    console.log(`streamwarden_process_cpu_usage_ratio{stream="radio"} ${ratio}`);
    expect(ratio).toBeGreaterThan(0.01); // x264 at 640x360, 25 fps is never idle
    expect(ratio).toBeLessThanOrEqual(availableParallelism() * 1.1);
    expect(text).not.toMatch(/^streamwarden_process_cpu_usage_ratio\{stream="idle"\}/m);
  });
});
