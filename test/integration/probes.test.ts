/**
 * Health probes against real things: ffprobe and ffmpeg on live RTMP streams from a real
 * nginx-rtmp (lavfi sources: normal, black, still, silent), a TCP server that never answers,
 * local HTTP servers, and real child processes read through /proc. Every probe must end by its
 * timeout and leave no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContentProbe } from '../../src/adapters/probes/content-probe.js';
import { FfprobeProbe } from '../../src/adapters/probes/ffprobe-probe.js';
import { ConditionSyntaxError } from '../../src/domain/http-conditions.js';
import { HttpProbe } from '../../src/adapters/probes/http-probe.js';
import { ProcessProbe } from '../../src/adapters/probes/process-probe.js';
import { RtmpServerProbe } from '../../src/adapters/probes/rtmp-server-probe.js';
import { liveProbeGroups } from '../../src/adapters/probes/run-process.js';
import { NginxRtmpServer } from '../../src/adapters/rtmp/nginx-rtmp.js';
import { createRedactor } from '../../src/domain/redact.js';
import type { ProbeResult } from '../../src/ports/health-probe.js';
import { startFakeHttpServer, type FakeHttpServer } from '../helpers/fake-http-server.js';
import { startLavfiPublisher, type LavfiPublisher, type LavfiSource } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, freePort, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { listProcesses, processesInGroup, readProcStat } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { startSilentTcpServer, type SilentTcpServer } from '../helpers/silent-tcp-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { systemClock } from '../../src/adapters/system-clock.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();
const never = new AbortController().signal;

/** The probe's child (pid in details) and everything in its process group are gone. */
function expectNoProcessLeft(result: ProbeResult): void {
  const pid = result.details?.['pid'];
  expect(typeof pid).toBe('number');
  expect(processesInGroup(pid as number)).toEqual([]);
  expect(liveProbeGroups()).toEqual([]);
}

/** Children of this test process named `comm`, while they run. */
function childrenNamed(comm: string): { pid: number; pgrp: number }[] {
  return listProcesses()
    .filter((p) => p.ppid === process.pid && p.comm === comm)
    .map((p) => ({ pid: p.pid, pgrp: p.pgrp }));
}

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('media probes on real RTMP streams', () => {
  let nginx: NginxRtmp;
  let silent: SilentTcpServer;
  const publishers = new Map<LavfiSource, LavfiPublisher>();
  const KEYS: Record<LavfiSource, string> = {
    normal: 'normal-secret-key',
    black: 'black-secret-key',
    still: 'still-secret-key',
    silent: 'silent-secret-key',
    'video-only': 'video-only-secret-key',
  };
  const url = (source: LavfiSource): string => nginx.rtmpUrl('live', KEYS[source]);
  const redact = createRedactor(Object.values(KEYS));

  beforeAll(async () => {
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    silent = await startSilentTcpServer();
    for (const source of ['normal', 'black', 'still', 'silent', 'video-only'] as const) {
      publishers.set(source, startLavfiPublisher(ffmpegPath ?? 'ffmpeg', url(source), source));
    }
    await Promise.all(
      Object.values(KEYS).map((key) => nginx.waitForPublishing('live', key, { timeoutMs: 20_000, active: true })),
    );
  });

  afterAll(async () => {
    await Promise.all([...publishers.values()].map((p) => p.stop()));
    for (const p of publishers.values()) expect(processesInGroup(p.pid, { includeZombies: false })).toEqual([]);
    await silent.close();
    await nginx.stop();
  });

  describe('ffprobe probe', () => {
    const probe = (target: string, options: Partial<ConstructorParameters<typeof FfprobeProbe>[0]> = {}): FfprobeProbe =>
      new FfprobeProbe({ clock: systemClock, ffprobePath: ffprobePath ?? 'ffprobe', url: target, expect: { video: true, audio: true }, timeoutMs: 10_000, redact, ...options });

    it('sees video and audio on a live stream', async () => {
      const result = await probe(url('normal')).run(never);
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(/video h264 320x240/);
      expect(result.message).toMatch(/audio aac 44100 Hz/);
      expect(result.durationMs).toBeLessThan(10_000);
      expectNoProcessLeft(result);
    });

    it('fails a stream that lacks the expected audio', async () => {
      const result = await probe(url('video-only')).run(never);
      expect(result).toMatchObject({ ok: false, message: 'no audio stream (found: video h264 320x240)' });
      expect((await probe(url('video-only'), { expect: { video: true, audio: false } }).run(never)).ok).toBe(true);
    });

    it('fails a missing stream within its timeout, key redacted, no process left', async () => {
      const result = await probe(nginx.rtmpUrl('live', 'missing-secret-key'), { timeoutMs: 4_000, redact: createRedactor(['missing-secret-key']) }).run(never);
      expect(result.ok).toBe(false);
      expect(result.durationMs).toBeLessThan(4_000 + 1_000);
      expect(result.message).not.toContain('missing-secret-key');
      expect(result.message).toMatch(/ffprobe failed|timed out after 4 s/);
      expectNoProcessLeft(result);
    });

    it('kills a hung ffprobe (server accepts, never answers) with its whole group at the timeout', async () => {
      const hung = probe(`rtmp://127.0.0.1:${silent.port}/live/hung-secret-key`, { timeoutMs: 1_500, rwTimeoutMs: 0 });
      const running = hung.run(never);
      // While it hangs: ffprobe runs as the leader of its own process group.
      const child = await waitFor(() => childrenNamed('ffprobe')[0], { timeoutMs: 1_400, intervalMs: 20, description: 'ffprobe to start' });
      expect(child.pgrp).toBe(child.pid);
      const result = await running;
      expect(result).toMatchObject({ ok: false, message: 'timed out after 1.5 s' });
      expect(result.durationMs).toBeGreaterThanOrEqual(1_450);
      expect(result.durationMs).toBeLessThan(3_500);
      expect(result.details?.['pid']).toBe(child.pid);
      expectNoProcessLeft(result);
      expect(readProcStat(child.pid)).toBeUndefined();
      expect(silent.accepted()).toBeGreaterThan(0);
    });

    it('stops at once when the caller aborts', async () => {
      const controller = new AbortController();
      const running = probe(`rtmp://127.0.0.1:${silent.port}/live/x`, { timeoutMs: 10_000, rwTimeoutMs: 0 }).run(controller.signal);
      await waitFor(() => childrenNamed('ffprobe').length > 0, { timeoutMs: 5_000, intervalMs: 20, description: 'ffprobe to start' });
      controller.abort();
      const result = await running;
      expect(result).toMatchObject({ ok: false, message: 'aborted' });
      expect(result.durationMs).toBeLessThan(3_000);
      expectNoProcessLeft(result);
    });

    it('reports a missing binary', async () => {
      const result = await probe(url('normal'), { ffprobePath: '/nonexistent/ffprobe' }).run(never);
      expect(result).toMatchObject({ ok: false, message: 'ffprobe could not be started (ENOENT): /nonexistent/ffprobe' });
    });
  });

  describe('rtmp-server probe', () => {
    const server = (): NginxRtmpServer => new NginxRtmpServer({ id: 'local', statUrl: nginx.statUrl, controlUrl: nginx.controlUrl }, { clock: systemClock });

    it('passes when our stream is published above the floor, fails below it or when absent', async () => {
      const ok = await new RtmpServerProbe({ clock: systemClock, server: server(), target: { app: 'live', name: KEYS.normal }, minBitrateKbps: 50, timeoutMs: 3_000 }).run(never);
      expect(ok.ok).toBe(true);
      expect(ok.message).toMatch(/^published on RTMP server "local" \(app "live"\), client \d+, inbound \d+ kbps$/);

      const low = await new RtmpServerProbe({ clock: systemClock, server: server(), target: { app: 'live', name: KEYS.normal }, minBitrateKbps: 1_000_000, timeoutMs: 3_000 }).run(never);
      expect(low).toMatchObject({ ok: false, message: expect.stringMatching(/^inbound bitrate \d+ kbps below 1000000 kbps/) as unknown });

      const absent = await new RtmpServerProbe({ clock: systemClock, server: server(), target: { app: 'live', name: 'nobody-secret' }, timeoutMs: 3_000, redact }).run(never);
      expect(absent).toMatchObject({ ok: false, message: 'not published on RTMP server "local" (app "live")' });
      for (const r of [ok, low, absent]) expect(JSON.stringify(r)).not.toContain('secret-key');
    });

    it('fails with the server error when the server is down', async () => {
      const port = await freePort();
      const down = new NginxRtmpServer({ id: 'down', statUrl: `http://127.0.0.1:${port}/stat`, controlUrl: `http://127.0.0.1:${port}/control` }, { clock: systemClock });
      const result = await new RtmpServerProbe({ clock: systemClock, server: down, target: { app: 'live', name: 'k' }, timeoutMs: 3_000 }).run(never);
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/^RTMP server "down": GET \/stat: .*ECONNREFUSED/);
    });
  });

  describe('content probe', () => {
    const probe = (target: string, options: Partial<ConstructorParameters<typeof ContentProbe>[0]> = {}): ContentProbe =>
      new ContentProbe({ clock: systemClock,
        ffmpegPath: ffmpegPath ?? 'ffmpeg',
        url: target,
        durationMs: 4_000,
        timeoutMs: 20_000,
        black: true,
        freeze: true,
        silence: true,
        redact,
        ...options,
      });

    it('tells black, frozen and silent streams from a normal one', async () => {
      const [normal, black, still, silentAudio] = await Promise.all(
        (['normal', 'black', 'still', 'silent'] as const).map((source) => probe(url(source)).run(never)),
      );
      expect(normal, JSON.stringify(normal)).toMatchObject({ ok: true });
      expect(normal?.message).toMatch(/^content ok over [34](\.\d+)? s$/);

      expect(black?.ok).toBe(false);
      expect(black?.message).toMatch(/^black for [\d.]+ s of [\d.]+ s, frozen for [\d.]+ s of [\d.]+ s, silent for [\d.]+ s of [\d.]+ s$/);

      expect(still?.ok).toBe(false);
      expect(still?.message).toMatch(/^frozen for [\d.]+ s of [\d.]+ s$/);

      expect(silentAudio?.ok).toBe(false);
      expect(silentAudio?.message).toMatch(/^silent for [\d.]+ s of [\d.]+ s$/);

      for (const result of [normal, black, still, silentAudio]) {
        if (result === undefined) throw new Error('missing result');
        expect(result.details?.['sampleSeconds']).toBeGreaterThan(3.5);
        expect(JSON.stringify(result)).not.toContain('secret-key');
        expectNoProcessLeft(result);
      }
    });

    it('only runs the detectors it is asked for', async () => {
      const result = await probe(url('black'), { black: false, freeze: false, silence: true, durationMs: 3_000 }).run(never);
      expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/^silent for /) as unknown });
      expect(result.details).not.toHaveProperty('blackSeconds');
      const noAudio = await probe(url('video-only'), { durationMs: 3_000 }).run(never);
      expect(noAudio).toMatchObject({ ok: true, message: expect.stringMatching(/\(no audio stream, silence not checked\)$/) as unknown });
    });

    it('fails a missing stream and a hung server by the timeout, leaving nothing behind', async () => {
      const missing = await probe(nginx.rtmpUrl('live', 'gone-secret-key'), { timeoutMs: 6_000 }).run(never);
      expect(missing.ok).toBe(false);
      expect(missing.durationMs).toBeLessThan(6_000 + 1_000);
      expect(missing.message).not.toContain('gone-secret-key');
      expectNoProcessLeft(missing);

      const hung = await probe(`rtmp://127.0.0.1:${silent.port}/live/k`, { timeoutMs: 5_000, rwTimeoutMs: 0 }).run(never);
      expect(hung).toMatchObject({ ok: false, message: 'timed out after 5 s' });
      expect(hung.durationMs).toBeLessThan(7_000);
      expectNoProcessLeft(hung);
    });
  });
});

describe('http probe against a local server', () => {
  let server: FakeHttpServer;

  beforeAll(async () => {
    server = await startFakeHttpServer((request) => {
      switch (request.path) {
        case '/live':
          return { body: { status: 'live', viewers: 3, engine: { healthy: true } } };
        case '/offline':
          return { body: { status: 'offline', viewers: 0 } };
        case '/down':
          return { status: 503, body: 'maintenance' };
        case '/slow':
          return { delayMs: 300, body: { status: 'live' } };
        case '/hang':
          return { hang: true };
        case '/html':
          return { body: '<html>not json</html>' };
        default:
          return { status: 404, body: 'no' };
      }
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const probe = (path: string, options: Partial<ConstructorParameters<typeof HttpProbe>[0]> = {}): HttpProbe =>
    new HttpProbe({ clock: systemClock, url: `${server.url}${path}`, timeoutMs: 2_000, ...options });

  it('passes when status and conditions hold', async () => {
    const result = await probe('/live', { conditions: ['status == 200', 'body.status == "live"', 'body.viewers >= 1', 'body.engine.healthy == true', 'responseTime < 2s'] }).run(never);
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^HTTP 200 in \d+ms$/);
    expect(result.details?.['conditions']).toHaveLength(5);
  });

  it('fails with every broken condition named', async () => {
    const result = await probe('/offline', { conditions: ['body.status == "live"', 'body.viewers >= 1'] }).run(never);
    expect(result).toMatchObject({
      ok: false,
      message: 'body.status == "live": body.status is "offline"; body.viewers >= 1: body.viewers is 0',
    });
    expect(await probe('/down').run(never)).toMatchObject({ ok: false, message: 'HTTP 503 (expected 200)' });
    expect((await probe('/down', { status: 503 }).run(never)).ok).toBe(true);
    expect(await probe('/html', { conditions: ['body.status == "live"'] }).run(never)).toMatchObject({
      ok: false,
      message: 'body.status == "live": the body is not JSON',
    });
  });

  it('checks the response time', async () => {
    const result = await probe('/slow', { conditions: ['responseTime < 100ms'] }).run(never);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^responseTime < 100ms: responseTime is \d+ms$/);
    expect(result.details?.['responseTimeMs']).toBeGreaterThanOrEqual(290);
  });

  it('times out a server that never answers', async () => {
    const result = await probe('/hang', { timeoutMs: 300 }).run(never);
    expect(result).toMatchObject({ ok: false, message: 'timed out after 0.3 s' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(1_500);
  });

  it('reports a refused connection with the URL redacted', async () => {
    const port = await freePort();
    const result = await new HttpProbe({ clock: systemClock, url: `http://127.0.0.1:${port}/status?token=hunter2-secret`, timeoutMs: 2_000 }).run(never);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/status\?token=\*\*\* failed: .*ECONNREFUSED/);
    expect(result.message).not.toContain('hunter2');
  });

  it('rejects bad conditions when built', () => {
    expect(() => probe('/live', { conditions: ['body.status == live'] })).toThrow(ConditionSyntaxError);
  });
});

describe('process probe on a real child', () => {
  const children: ChildProcess[] = [];

  const start = (command: string, args: string[]): ChildProcess => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    children.push(child);
    return child;
  };

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
      expect(processesInGroup(child.pid, { includeZombies: false })).toEqual([]);
    }
  });

  it('reads cpu and rss, fails a sustained CPU limit, a stopped and a gone process', async () => {
    const busy = start(process.execPath, ['-e', 'for (;;) {}']);
    const pid = busy.pid;
    if (pid === undefined) throw new Error('no pid');
    const probe = new ProcessProbe({ clock: systemClock, pid: () => pid, maxCpuPercent: 30, forMs: 1_000, timeoutMs: 2_000 });

    const first = await probe.run(never);
    expect(first.details?.['pid']).toBe(pid);

    const failed = await waitFor(
      async () => {
        const result = await probe.run(never);
        return result.ok ? undefined : result;
      },
      { timeoutMs: 8_000, intervalMs: 250, description: 'the CPU limit to be held for 1 s' },
    );
    expect(failed.message).toMatch(new RegExp(`^process ${pid}: cpu \\d+\\.\\d% above 30% for \\d`));
    expect(failed.details?.['cpuPercent']).toBeGreaterThan(30);
    expect(failed.details?.['rssBytes']).toBeGreaterThan(1024 * 1024);

    process.kill(pid, 'SIGSTOP');
    await waitFor(() => readProcStat(pid)?.state === 'T', { timeoutMs: 2_000, description: 'the child to stop' });
    expect(await probe.run(never)).toMatchObject({ ok: false, message: `process ${pid} is stopped` });

    process.kill(-pid, 'SIGKILL');
    await new Promise((resolve) => busy.once('exit', resolve));
    expect(await probe.run(never)).toMatchObject({ ok: false, message: `process ${pid} is gone` });
  });

  it('passes a quiet process under its limits', async () => {
    const idle = start(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = idle.pid;
    if (pid === undefined) throw new Error('no pid');
    await waitFor(() => readFileSync(`/proc/${pid}/status`, 'utf8').includes('VmRSS'), { description: 'the child to be up' });
    const probe = new ProcessProbe({ clock: systemClock, pid: () => pid, maxCpuPercent: 90, maxRssBytes: 1024 ** 3, forMs: 0, timeoutMs: 2_000 });
    // Node's start-up burns CPU; once it idles the probe passes.
    const result = await waitFor(
      async () => {
        const r = await probe.run(never);
        return r.ok && r.details?.['cpuPercent'] !== undefined ? r : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 300, description: 'node start-up CPU to settle' },
    );
    expect(result.message).toMatch(new RegExp(`^process ${pid} (sleeping|running), cpu \\d+\\.\\d%, rss \\d+\\.\\d MiB$`));
  });

  it('fails a zombie', async () => {
    // perl forks a child that exits at once and is never reaped while perl sleeps.
    const perl = requireBinary('perl', ['/usr/bin/perl']);
    if (perl === undefined) return;
    const parent = start(perl, ['-e', 'my $p = fork; exit 0 if $p == 0; sleep 30']);
    const zombie = await waitFor(() => listProcesses().find((p) => p.ppid === parent.pid && p.state === 'Z'), {
      timeoutMs: 5_000,
      description: 'a zombie child of perl',
    });
    const result = await new ProcessProbe({ clock: systemClock, pid: () => zombie.pid, forMs: 0, timeoutMs: 2_000 }).run(never);
    expect(result).toMatchObject({ ok: false, message: `process ${zombie.pid} is a zombie` });
  });
});
