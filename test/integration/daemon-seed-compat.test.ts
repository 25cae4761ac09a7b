/**
 * The seed systems' endpoints through the daemon as users run it (`node bin/streamwarden.js run`,
 * the built dist/), with real ffmpeg publishing to a real nginx-rtmp, a token set and stream keys
 * from `${VAR}`s, and a fake Acestream engine on 127.0.0.1:
 *
 * - VistterStream's `GET /api/watchdog/status`, the Acestream orchestrator's `GET /engines` and
 *   the radio module's `/health/liveness|readiness|detailed` answer exactly their shapes (field
 *   names, types, time formats), without a secret, and are open or closed exactly like the
 *   /api/v1 routes they mirror.
 * - `/readyz` fails (503, naming the stream) while a stream wanted running is in a crash loop —
 *   its real ffmpeg reads a file that does not exist yet — through its retries, and passes again
 *   once the file exists and the stream runs; with `server.readiness.failOnCrashloop: false` a
 *   crash loop leaves it passing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startFakeHttpServer, type FakeHttpServer } from '../helpers/fake-http-server.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

const SECRETS = { STREAMWARDEN_TOKEN: 'tok-5eed-c0mpat-77', CAM_KEY: 'CamKeySeed4d2f1a', FLAKY_KEY: 'FlakyKeySeed9b3c' };
const PYTHON_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

interface Answer {
  status: number;
  text: string;
  json<T>(): T;
}

interface SeedHealth {
  status: string;
  message: string;
  timestamp: string;
  details: Record<string, unknown>;
}

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('seed compatibility through the daemon', () => {
  let tempDir: string;
  let nginx: NginxRtmp;
  let engine: FakeHttpServer;
  /** The daemon of the first five tests (flaky not wanted running at first). */
  let d: DaemonProcess;
  let base: string;
  let clip: string;
  let other: DaemonProcess | undefined;
  /** Every body a client saw, searched for the secrets at the end. */
  const seen: string[] = [];

  beforeAll(async () => {
    tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-seed-'));
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    engine = await startFakeHttpServer((request) =>
      request.path === '/server/api' && request.query.get('method') === 'get_status' ? { body: { result: { status: 'idle' }, error: null } } : { status: 404, body: 'not found' },
    );
    const dir = mkdtempSync(path.join(tempDir, 'on-'));
    clip = path.join(dir, 'clip.flv');
    d = await startDaemon(dir, (port) => configYaml(port, clip, { flakyDesired: 'stopped' }), SECRETS);
    base = d.base;
    await nginx.waitForPublishing('live', `cam-${SECRETS.CAM_KEY}`, { active: true, timeoutMs: 20_000 });
    d.track(await waitFor(async () => (await state('cam')).pid, { timeoutMs: 10_000, description: 'cam to have a pid' }));
  }, 60_000);

  afterEach(async () => {
    await other?.stop();
    other = undefined;
  });

  afterAll(async () => {
    try {
      for (const secret of Object.values(SECRETS)) {
        expect(seen.filter((text) => text.includes(secret)), secret).toEqual([]);
        expect(d.output(), 'the daemon log').not.toContain(secret);
      }
    } finally {
      await d.stop();
      await engine.close();
      await nginx.stop();
      rmSync(tempDir, { recursive: true, force: true });
    }
  });

  const call = async (url: string, options: { method?: string; token?: boolean; body?: unknown; base?: string } = {}): Promise<Answer> => {
    const response = await fetch(`${options.base ?? base}${url}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token === true ? { authorization: `Bearer ${SECRETS.STREAMWARDEN_TOKEN}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, text, json: <T>() => JSON.parse(text) as T };
  };

  /** The publishing camera, and a stream whose input file does not exist until `makeClip`. */
  const configYaml = (port: number, clip: string, options: { failOnCrashloop?: boolean; flakyDesired: 'running' | 'stopped'; tag?: string }): string => {
    const tag = options.tag ?? '';
    const camUrl = `rtmp://127.0.0.1:${nginx.rtmpPort}/live/${tag}cam-\${CAM_KEY}`;
    const cam = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-f', 'flv', camUrl];
    const flaky = ['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${nginx.rtmpPort}/live/${tag}flaky-\${FLAKY_KEY}`];
    return `
server:
  listen: 127.0.0.1:${port}
  token: \${STREAMWARDEN_TOKEN}
${options.failOnCrashloop === undefined ? '' : `  readiness: { failOnCrashloop: ${options.failOnCrashloop} }`}
storage:
  path: ${JSON.stringify(path.join(path.dirname(clip), 'streamwarden.db'))}
ffmpeg:
  path: ${JSON.stringify(ffmpegPath)}
  ffprobePath: ${JSON.stringify(ffprobePath)}
engines:
  - { id: ace1, host: 127.0.0.1, port: ${new URL(engine.url).port} }
enginePolling: { interval: 200ms, timeout: 1s, failureThreshold: 1, successThreshold: 1, grace: 0s }
streams:
  - id: cam
    args: ${JSON.stringify(cam)}
    startTimeout: 15s
    checks:
      - { type: ffprobe, url: "${camUrl}", interval: 2s, timeout: 5s, unhealthyAfter: 30s }
    stop: { interruptGrace: 2s, terminateGrace: 2s }
  - id: flaky
    desired: ${options.flakyDesired}
    args: ${JSON.stringify(flaky)}
    startTimeout: 15s
    restart: { backoffInitial: 100ms, backoffMax: 500ms, budget: { restarts: 3, within: 1m } }
    stop: { interruptGrace: 2s, terminateGrace: 2s }
`;
  };

  /** A real two-second FLV clip, written under another name and renamed: it appears whole. */
  const makeClip = (clip: string): void => {
    const partial = `${clip}.partial.flv`;
    const made = spawnSync(ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'flv', '-f', 'flv', partial], {
      timeout: 30_000,
    });
    expect(made.status, made.stderr.toString()).toBe(0);
    renameSync(partial, clip);
  };

  const state = async (id: string, on = base): Promise<{ state: string; pid: number | null; restarts: number }> =>
    (await call(`/api/v1/streams/${id}`, { base: on })).json<{ state: string; pid: number | null; restarts: number }>();

  it("GET /engines answers the Acestream orchestrator's engine list: a bare array with exactly its fields", async () => {
    await waitFor(async () => (await call('/engines')).json<{ health_status: string }[]>()[0]?.health_status === 'healthy', {
      timeoutMs: 10_000,
      intervalMs: 100,
      description: 'engine ace1 to be healthy in /engines',
    });
    const acquired = await call('/api/v1/engines/acquire', { method: 'POST', token: true, body: { stream: 'cam' } });
    expect(acquired.status, acquired.text).toBe(200);
    const engines = await call('/engines');
    expect(engines.status).toBe(200);
    const [ace] = engines.json<Record<string, unknown>[]>();
    expect(Object.keys(ace ?? {}).sort()).toEqual(['container_id', 'container_name', 'health_status', 'host', 'last_health_check', 'last_stream_usage', 'port', 'streams']);
    expect(ace).toMatchObject({ container_id: 'ace1', container_name: 'ace1', host: '127.0.0.1', port: Number(new URL(engine.url).port), health_status: 'healthy', streams: ['cam'] });
    expect(ace?.['last_health_check']).toMatch(ISO_MS);
    expect(ace?.['last_stream_usage']).toMatch(ISO_MS);
  });

  it("GET /api/watchdog/status answers VistterStream's watchdog status: the camera's watchdog, with the ffprobe check's interval", async () => {
    const camWatchdog = await waitFor(
      async () => {
        const body = (await call('/api/watchdog/status')).json<{ watchdog_count: number; watchdogs: Record<string, Record<string, unknown>> }>();
        return body.watchdogs['cam']?.['last_healthy_time'] !== null ? body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'cam to have been healthy in /api/watchdog/status' },
    );
    expect(camWatchdog.watchdog_count).toBe(1); // flaky is not wanted running: no watchdog, as in VistterStream
    expect(Object.keys(camWatchdog)).toEqual(['watchdog_count', 'watchdogs']);
    const cam = camWatchdog.watchdogs['cam'] ?? {};
    expect(Object.keys(cam).sort()).toEqual(['check_interval', 'consecutive_unhealthy', 'last_healthy_time', 'last_recovery_time', 'recovery_count', 'running']);
    expect(cam).toMatchObject({ running: true, consecutive_unhealthy: 0, last_recovery_time: null, recovery_count: 0, check_interval: 2 });
    expect(cam['last_healthy_time']).toMatch(PYTHON_TIME);
  });

  it("/health/liveness, /health/readiness and /health/detailed answer in the radio module's shape", async () => {
    const camPid = (await state('cam')).pid;
    const liveness = await call('/health/liveness');
    expect(liveness.status).toBe(200);
    expect(liveness.json<SeedHealth>()).toEqual({ status: 'healthy', message: 'Service is alive', timestamp: expect.stringMatching(ISO_SECONDS) as unknown, details: { check: 'liveness' } });
    const readiness = await call('/health/readiness');
    expect(readiness.json<SeedHealth>()).toEqual({ status: 'healthy', message: 'Service is ready', timestamp: expect.stringMatching(ISO_SECONDS) as unknown, details: { ffmpeg_running: true } });
    const detailed = (await call('/health/detailed')).json<SeedHealth>();
    expect(Object.keys(detailed).sort()).toEqual(['details', 'message', 'status', 'timestamp']);
    expect(detailed.details['components']).toMatchObject({
      heartbeat: { status: 'healthy' },
      crashloop: { status: 'healthy' },
      'stream:cam': { status: 'healthy', state: 'running', pid: camPid, uptime_seconds: expect.any(Number) as unknown },
      'stream:flaky': { status: 'healthy', state: 'stopped', pid: null },
    });
  });

  it('the aliases are protected exactly like the routes they mirror: reads open without the token, writes need it', async () => {
    for (const [alias, mirrored] of [
      ['/api/watchdog/status', '/api/v1/watchdog/status'],
      ['/engines', '/api/v1/engines'],
      ['/health/readiness', '/readyz'],
    ] as const) {
      for (const method of ['GET', 'POST'] as const) {
        const [a, b] = [await call(alias, { method }), await call(mirrored, { method })];
        expect(a.status, `${method} ${alias}`).toBe(method === 'GET' ? 200 : 401);
        expect(a.status, `${method} ${alias} like ${mirrored}`).toBe(b.status);
      }
    }
  });

  it('/readyz fails naming a stream wanted running in a crash loop, through its retries, and passes once it recovers', async () => {
    // flaky is started; its ffmpeg exits at once (no input file) until its budget is spent.
    expect((await call('/api/v1/streams/flaky/start', { method: 'POST' })).status).toBe(401);
    expect((await call('/api/v1/streams/flaky/start', { method: 'POST', token: true })).status).toBe(202);
    const failing = await waitFor(
      async () => {
        const ready = await call('/readyz');
        return ready.status === 503 ? ready : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, description: '/readyz to fail while flaky is in a crash loop' },
    );
    expect(failing.json()).toEqual({ status: 'fail', failing: [{ name: 'crashloop', message: 'stream flaky is wanted running but in a crash loop' }] });
    // It keeps failing through the slow retries (each briefly `starting`), not only in `crashloop`.
    const restartsThen = (await state('flaky')).restarts;
    const observed = new Set<string>();
    await waitFor(
      async () => {
        const [ready, flaky] = [await call('/readyz'), await state('flaky')];
        expect(ready.status, `/readyz while flaky is ${flaky.state}`).toBe(503);
        observed.add(flaky.state);
        return flaky.restarts >= restartsThen + 2;
      },
      { timeoutMs: 20_000, intervalMs: 25, description: 'two more failed retries of flaky' },
    );
    expect(observed).toContain('crashloop');
    const notReady = await call('/health/readiness');
    expect(notReady.status).toBe(503);
    expect(notReady.json<SeedHealth>()).toMatchObject({
      status: 'unhealthy',
      message: 'Service is not ready: crashloop: stream flaky is wanted running but in a crash loop',
      details: { ffmpeg_running: false },
    });
    const looping = (await call('/api/watchdog/status')).json<{ watchdog_count: number; watchdogs: Record<string, Record<string, unknown>> }>();
    expect(looping.watchdog_count).toBe(2);
    expect(looping.watchdogs['flaky']).toMatchObject({ running: true, last_healthy_time: null });
    expect(looping.watchdogs['flaky']?.['recovery_count']).toBeGreaterThanOrEqual(3);
    expect(looping.watchdogs['flaky']?.['consecutive_unhealthy']).toBeGreaterThanOrEqual(3);
    expect(looping.watchdogs['flaky']?.['last_recovery_time']).toMatch(PYTHON_TIME);
    const degraded = (await call('/health/detailed')).json<SeedHealth>();
    expect(degraded.status).toBe('unhealthy');
    expect(degraded.message).toContain('crashloop: stream flaky is wanted running but in a crash loop');

    // The input appears: the next retry publishes, and readiness passes again.
    makeClip(clip);
    await nginx.waitForPublishing('live', `flaky-${SECRETS.FLAKY_KEY}`, { timeoutMs: 20_000 });
    const flakyPid = await waitFor(
      async () => {
        const flaky = await state('flaky');
        return flaky.state === 'running' ? flaky.pid : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, description: 'flaky to run' },
    );
    d.track(flakyPid);
    const ready = await waitFor(
      async () => {
        const answer = await call('/readyz');
        return answer.status === 200 ? answer : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: '/readyz to pass once flaky runs' },
    );
    expect(ready.json()).toEqual({ status: 'pass' });
    expect((await call('/health/readiness')).json<SeedHealth>()).toMatchObject({ status: 'healthy', message: 'Service is ready', details: { ffmpeg_running: true } });
    const recovered = (await call('/api/watchdog/status')).json<{ watchdogs: Record<string, Record<string, unknown>> }>();
    expect(recovered.watchdogs['flaky']?.['last_healthy_time']).toMatch(PYTHON_TIME);
  }, 60_000);

  it('with server.readiness.failOnCrashloop: false, a crash loop leaves /readyz passing', async () => {
    const dir = mkdtempSync(path.join(tempDir, 'off-'));
    const missing = path.join(dir, 'clip.flv');
    other = await startDaemon(dir, (port) => configYaml(port, missing, { failOnCrashloop: false, flakyDesired: 'running', tag: 'off-' }), SECRETS);
    const on = other.base;
    await waitFor(async () => (await state('flaky', on)).state === 'crashloop', { timeoutMs: 20_000, intervalMs: 50, description: 'flaky to be in a crash loop' });
    const ready = await call('/readyz?verbose', { base: on });
    expect(ready.status).toBe(200);
    expect(ready.json<{ components: { name: string; status: string; message: string }[] }>().components.find((c) => c.name === 'crashloop')).toEqual({
      name: 'crashloop',
      kind: 'readiness',
      status: 'pass',
      message: 'crash loops do not count (server.readiness.failOnCrashloop: false)',
    });
    expect((await call('/health/readiness', { base: on })).status).toBe(200);
    const camPid = (await state('cam', on)).pid;
    if (camPid !== null) other.track(camPid);
  }, 60_000);
});
