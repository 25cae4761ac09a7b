/**
 * Recovery end to end: a real ffmpeg publishing to a real nginx-rtmp, supervised by the real
 * StreamSupervisor (NodeProcessRunner, system clock). Each test kills, freezes, breaks or stops
 * a publisher and checks what nginx sees, what the supervisor reports, and that no process is
 * left in any group it created.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger.js';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import type { Env } from '../../src/config/load.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp, type RtmpPublisher } from '../helpers/nginx-rtmp.js';
import { processesInGroup, processExists } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { startHarness, timed, type Harness, type HarnessOptions } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const nginxPath = findNginxRtmp();

const APP = 'live';
const INTERRUPT_GRACE_MS = 5_000;

describe.skipIf(ffmpegPath === undefined || nginxPath === undefined)('recovery with a real ffmpeg and nginx-rtmp', () => {
  let nginx: NginxRtmp | undefined;
  let capabilities: FfmpegCapabilities | undefined;
  let current: Harness | undefined;

  function server(): NginxRtmp {
    if (nginx === undefined) throw new Error('nginx not started');
    return nginx;
  }

  /** The publishing argv of the brief; `input` replaces the generated test pattern. */
  function publishArgs(output: string, input: readonly string[] = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25']): string[] {
    return [...input, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-f', 'flv', output];
  }

  function streamYaml(id: string, args: readonly string[]): string {
    return `
  - id: ${id}
    args: ${JSON.stringify(args)}
    startTimeout: 20s
    stallTimeout: 3s
    stop: { interruptGrace: ${INTERRUPT_GRACE_MS}ms, terminateGrace: 2s }
`;
  }

  function start(streams: string, options: Partial<Pick<HarnessOptions, 'env' | 'logger'>> = {}): Harness {
    if (ffmpegPath === undefined || capabilities === undefined) throw new Error('ffmpeg not detected');
    const h = startHarness(`streams:${streams}`, { ffmpegPath, capabilities, ...options });
    current = h;
    h.supervisor.startDesired();
    return h;
  }

  /** Waits until nginx lists `name` with media flowing from a client other than `notClientId`. */
  async function waitForPublisher(name: string, notClientId?: string): Promise<RtmpPublisher> {
    const found = await waitFor(
      async () =>
        (await server().publishers(APP)).find((p) => p.name === name && p.active && p.clientId !== notClientId),
      { timeoutMs: 20_000, intervalMs: 75, description: `nginx to list ${APP}/${name} as an active publisher${notClientId === undefined ? '' : ` other than client ${notClientId}`}` },
    );
    // Bytes keep arriving from that very connection.
    await waitFor(
      async () => {
        const now = (await server().publishers(APP)).find((p) => p.clientId === found.clientId);
        return now !== undefined && now.bytesIn > found.bytesIn && now.bytesIn > 10_000;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: `bytes to keep flowing into ${APP}/${name}` },
    );
    return found;
  }

  function pidOf(h: Harness, id: string): number {
    const pid = h.stream(id).status().pid;
    if (pid === undefined) throw new Error(`stream ${id} has no pid`);
    return pid;
  }

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
  });

  afterEach(async () => {
    const h = current;
    current = undefined;
    await h?.close();
  });

  afterAll(async () => {
    const pid = nginx?.pid;
    await nginx?.stop();
    if (pid !== undefined) expect(processExists(pid)).toBe(false);
  });

  it('SIGKILL of ffmpeg: reason killed, a new process publishes again', async () => {
    const h = start(streamYaml('cam', publishArgs(server().rtmpUrl(APP, 'killed'))));
    const before = await waitForPublisher('killed');
    const pid = pidOf(h, 'cam');

    process.kill(pid, 'SIGKILL');
    const finished = await h.waitForEvent('run-finished', (e) => e.pid === pid, { description: 'the killed run to end' });
    expect(finished).toMatchObject({ reason: 'killed', signal: 'SIGKILL', next: 'starting', restartDelayMs: 0 });

    const after = await waitForPublisher('killed', before.clientId);
    const newPid = pidOf(h, 'cam');
    expect(newPid).not.toBe(pid);
    expect(h.stream('cam').status().state).toBe('running');
    expect(after.clientId).not.toBe(before.clientId);
    expect(processesInGroup(pid)).toEqual([]);
  });

  it('SIGSTOP of ffmpeg: stalled after 3 s, killed, a new process publishes again', async () => {
    const h = start(streamYaml('cam', publishArgs(server().rtmpUrl(APP, 'frozen'))));
    const before = await waitForPublisher('frozen');
    const pid = pidOf(h, 'cam');

    process.kill(pid, 'SIGSTOP');
    const finished = await h.waitForEvent('run-finished', (e) => e.pid === pid, {
      description: 'the frozen run to be judged stalled',
      timeoutMs: 15_000,
    });
    expect(finished).toMatchObject({ reason: 'stalled', signal: 'SIGKILL', next: 'starting' });

    await waitForPublisher('frozen', before.clientId);
    expect(pidOf(h, 'cam')).not.toBe(pid);
    // The stopped process is gone, zombie included.
    await waitFor(() => processesInGroup(pid).length === 0, { timeoutMs: 5_000, description: `group ${pid} to be empty` });
  });

  it('a missing input: backoff, then crashloop, while a healthy stream beside it keeps its process', async () => {
    const broken = publishArgs(server().rtmpUrl(APP, 'broken'), ['-i', '/nonexistent/streamwarden-test/none.mp3']);
    const h = start(streamYaml('healthy', publishArgs(server().rtmpUrl(APP, 'healthy'))) + streamYaml('broken', broken));
    const healthyBefore = await waitForPublisher('healthy');
    const healthyPid = pidOf(h, 'healthy');

    // Default budget: 5 restarts allowed in 5 min; delays 0, 1, 2, 4, 8 s (±20 %); the 6th failure is a crash loop (60 s cap).
    await h.waitForEvent('state', (e) => e.streamId === 'broken' && e.to === 'crashloop', {
      description: 'the broken stream to reach crashloop',
      timeoutMs: 30_000,
    });
    const runs = h.events('run-finished').filter((e) => e.streamId === 'broken');
    expect(runs.map((e) => e.reason)).toEqual(Array(6).fill('failed-to-start'));
    expect(runs.map((e) => e.next)).toEqual(['starting', 'backoff', 'backoff', 'backoff', 'backoff', 'crashloop']);
    const delays = runs.map((e) => e.restartDelayMs ?? -1);
    [0, 1_000, 2_000, 4_000, 8_000, 60_000].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base * 0.8);
      expect(delays[i]).toBeLessThanOrEqual(base * 1.2);
    });
    expect(h.events('state').filter((e) => e.streamId === 'broken').map((e) => e.to)).toContain('backoff');
    const broke = h.stream('broken').status();
    expect(broke).toMatchObject({ state: 'crashloop', desired: 'running', pid: undefined, restarts: 6 });
    expect(broke.lastError).toContain('No such file or directory');
    expect(await server().isPublishing(APP, 'broken')).toBe(false);

    // The healthy stream never noticed.
    const healthy = h.stream('healthy').status();
    expect(healthy).toMatchObject({ state: 'running', pid: healthyPid, restarts: 0 });
    expect(h.events('run-started').filter((e) => e.streamId === 'healthy')).toHaveLength(1);
    expect(h.events('run-finished').filter((e) => e.streamId === 'healthy')).toEqual([]);
    expect(h.events('state').filter((e) => e.streamId === 'healthy').map((e) => e.to)).toEqual(['starting', 'running']);
    const healthyNow = (await server().publishers(APP)).find((p) => p.name === 'healthy');
    expect(healthyNow?.clientId).toBe(healthyBefore.clientId);
    expect(healthyNow?.bytesIn).toBeGreaterThan(healthyBefore.bytesIn);
  });

  it('stop: ffmpeg finishes on SIGINT within the grace, nothing left, nginx no longer lists it', async () => {
    const h = start(streamYaml('cam', publishArgs(server().rtmpUrl(APP, 'stopped'))));
    await waitForPublisher('stopped');
    const pid = pidOf(h, 'cam');

    const { ms } = await timed(h.stream('cam').stop());
    expect(ms).toBeLessThan(INTERRUPT_GRACE_MS); // no SIGTERM, no SIGKILL
    const finished = h.events('run-finished').at(-1);
    expect(finished).toMatchObject({ pid, reason: 'stopped', signal: null, next: 'stopped' });
    expect([0, 255]).toContain(finished?.exitCode);
    expect(h.stream('cam').status()).toMatchObject({ state: 'stopped', desired: 'stopped', pid: undefined });
    expect(processesInGroup(pid)).toEqual([]);
    await server().waitForNotPublishing(APP, 'stopped', { timeoutMs: 10_000 });
  });

  it('the stream key never shows in logs, runs, status, events or the daemon log', async () => {
    const key = 'SECRETKEY123';
    const env: Env = { CAM_KEY: key };
    const logLines: string[] = [];
    const output = `rtmp://127.0.0.1:${server().rtmpPort}/${APP}/cam-\${CAM_KEY}`;
    const h = start(streamYaml('cam', publishArgs(output)), {
      env,
      logger: (redact) => createLogger({ redact, level: 'debug', pretty: false, destination: { write: (line: string) => logLines.push(line) } }),
    });
    expect(h.config.secrets).toContain(key);
    const name = `cam-${key}`; // what nginx really receives
    const before = await waitForPublisher(name);

    // A dropped connection makes ffmpeg print its error lines (which name the output URL).
    expect(await server().dropPublisher(APP, name)).toBe('1');
    const finished = await h.waitForEvent('run-finished', () => true, { description: 'ffmpeg to fail after the drop' });
    expect(finished.next).toBe('starting');
    await waitForPublisher(name, before.clientId);

    const stream = h.stream('cam');
    const seen = JSON.stringify({
      logs: stream.logs(),
      runs: stream.runs(),
      status: stream.status(),
      events: [h.events('state'), h.events('run-started'), h.events('run-finished')],
      log: logLines,
    });
    expect(seen).not.toContain(key);
    // Not vacuous: ffmpeg did print the URL, and it reached us masked.
    const masked = `rtmp://127.0.0.1:${server().rtmpPort}/${APP}/***`;
    const lines = stream.runs().flatMap((run) => [...run.firstLines, ...run.lastLines]);
    expect(lines.some((line) => line.includes(masked))).toBe(true);
    expect(h.events('run-started')[0]?.command).toContain(masked);
    expect(logLines.some((line) => line.includes(masked))).toBe(true);
  });
});
