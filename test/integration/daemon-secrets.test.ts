/**
 * The daemon as users run it (`node bin/streamwarden.js run`, the built dist/), with a token and
 * stream keys that come from `${VAR}`s, a literal key sent through the API, and a stream that
 * keeps crashing and recovering (fake ffmpeg `-fake crash-after:1`). Every endpoint is read,
 * error paths included, the SSE stream is recorded throughout, and then every log line, every API
 * response, every SSE frame (and /metrics when the daemon serves it) is searched for the secrets:
 * none may appear.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamDetailDto, StreamDto } from '../../src/http/stream-dto.js';
import { freePort } from '../helpers/nginx-rtmp.js';
import { reapGroups } from '../helpers/proc.js';
import { FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { recordSse } from '../helpers/sse-recorder.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT, stopChild } from '../helpers/built-cli.js';



const SECRETS = {
  STREAMWARDEN_TOKEN: 'tok-9c1f2e7a5b3d',
  ALPHA_KEY: 'AlphaKey7f3c9e21',
  BETA_KEY: 'BetaKey0d4b8a66',
  BETA_PASS: 'BetaPassphrase55',
  HOOK_TOKEN: 'HookToken1e2d3c',
};
/** Sent in an API body, never in the environment: masked by the URL rules alone. */
const LITERAL_KEY = 'GammaLiteralKey99';
const ALL_SECRETS = [...Object.values(SECRETS), LITERAL_KEY];

let tempDir: string;
let daemon: ChildProcess | undefined;
const groups = new Set<number>();

beforeAll(() => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-secrets-'));
});

afterAll(async () => {
  await stopChild(daemon);
  try {
    await reapGroups(groups);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
});

function configYaml(port: number): string {
  const alphaArgs = [
    '-stats_period', '0.25', '-fake', 'crash-after:1', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-f', 'flv', 'rtmp://127.0.0.1:1/live/alpha-${ALPHA_KEY}',
  ];
  return `
server:
  listen: 127.0.0.1:${port}
  token: \${STREAMWARDEN_TOKEN}
storage:
  path: ${JSON.stringify(path.join(tempDir, 'streamwarden.db'))}
ffmpeg:
  path: ${JSON.stringify(FAKE_FFMPEG)}
notifiers:
  - { id: ops, type: webhook, url: "http://127.0.0.1:1/hook/\${HOOK_TOKEN}" }
streams:
  - id: alpha
    args: ${JSON.stringify(alphaArgs)}
    restart: { backoffInitial: 200ms, backoffMax: 1s, budget: { restarts: 1000, within: 1m } }
    stop: { interruptGrace: 2s, terminateGrace: 2s }
  - id: beta
    inputs: [lavfi:testsrc2]
    output: "rtmp://127.0.0.1:1/live/\${BETA_KEY}?token=\${BETA_KEY}"
    encode: [-stats_period, "0.25", -fake, normal, -passphrase, "\${BETA_PASS}", -f, flv]
    stop: { interruptGrace: 2s, terminateGrace: 2s }
`;
}

/** Everything a client saw, to be searched for secrets at the end. */
const seen: { what: string; text: string }[] = [];

describe('secrets never leave the daemon', () => {
  it('a crashing and recovering daemon shows no key in logs, API responses, events or metrics', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'config.yaml');
    writeFileSync(file, configYaml(port));
    const auth = { authorization: `Bearer ${SECRETS.STREAMWARDEN_TOKEN}` };

    daemon = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: { ...process.env, ...SECRETS }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    daemon.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    daemon.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const child = daemon;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

    const call = async (method: string, url: string, options: { body?: unknown; token?: boolean } = {}) => {
      const response = await fetch(`${base}${url}`, {
        method,
        headers: {
          ...(options.token === false ? {} : auth),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      seen.push({ what: `${method} ${url} → ${response.status}`, text: `${JSON.stringify([...response.headers])}\n${text}` });
      return { status: response.status, text, json: <T>() => JSON.parse(text) as T };
    };

    await waitFor(async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `${base}/readyz to answer 200`,
    });

    // The event stream, recorded from the start.
    const sse = new AbortController();
    const events = await fetch(`${base}/api/v1/events`, { headers: auth, signal: sse.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const recording = recordSse(events);

    // alpha crashes every second; wait for a recovery and for alpha to be running again after it.
    await waitFor(
      () => {
        const recovery = recording.text().indexOf('event: recovery\ndata: {"type":"recovery","streamId":"alpha"');
        return recovery >= 0 && recording.text().indexOf('"streamId":"alpha","from":"starting","to":"running"', recovery) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'alpha to fail, recover and run again (SSE)' },
    );
    expect(recording.text()).toMatch(/^retry: 3000\n\n/);
    expect(recording.text()).toMatch(/id: \d+\nevent: health\n/);

    // Every endpoint, with what the daemon shows about the streams.
    const list = await call('GET', '/api/v1/streams');
    expect(list.status).toBe(200);
    for (const s of list.json<StreamDto[]>()) if (s.pid !== null) groups.add(s.pid);
    const alpha = await call('GET', '/api/v1/streams/alpha');
    expect(alpha.status).toBe(200);
    const alphaDetail = alpha.json<StreamDetailDto>();
    expect(alphaDetail.restarts).toBeGreaterThan(0);
    expect(alphaDetail.recentRuns[0]).toMatchObject({ reason: 'exited', exitCode: 1 });
    expect(alphaDetail.spec.args).toContain('rtmp://127.0.0.1:1/live/***');
    const beta = await call('GET', '/api/v1/streams/beta');
    expect(beta.json<StreamDetailDto>().spec).toMatchObject({ output: 'rtmp://127.0.0.1:1/live/***?token=***', encode: expect.arrayContaining(['-passphrase', '***']) as unknown });
    for (const id of ['alpha', 'beta']) {
      expect((await call('GET', `/api/v1/streams/${id}/logs?lines=1000`)).status).toBe(200);
      expect((await call('GET', `/api/v1/streams/${id}/runs`)).status).toBe(200);
    }
    const alphaLogs = (await call('GET', '/api/v1/streams/alpha/runs')).text;
    expect(alphaLogs).toContain('rtmp://127.0.0.1:1/live/***');
    const watchdog = await call('GET', '/api/v1/watchdog/status');
    expect(watchdog.json<{ streams: { id: string; recoveryCount: number }[] }>().streams.find((s) => s.id === 'alpha')?.recoveryCount).toBeGreaterThan(0);
    for (const url of ['/livez', '/readyz', '/healthz', '/healthz?verbose', '/health/liveness', '/health/readiness', '/health/detailed']) {
      expect((await call('GET', url)).status, url).toBe(200);
    }
    const metrics = await call('GET', '/metrics', { token: false });
    expect([200, 404]).toContain(metrics.status); // 404 until the metrics issue registers the route

    // A stream created with a literal key: masked in the answer, in its logs and events.
    const created = await call('POST', '/api/v1/streams', {
      body: { id: 'gamma', inputs: ['lavfi:testsrc2'], output: `rtmp://127.0.0.1:1/live/gamma-${LITERAL_KEY}`, encode: ['-stats_period', '0.25', '-f', 'flv'] },
    });
    expect(created.status, created.text).toBe(201);
    await waitFor(async () => (await call('GET', '/api/v1/streams/gamma')).json<StreamDto>().state === 'running', {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: 'gamma to run',
    });
    expect((await call('GET', '/api/v1/streams/gamma/logs')).text).toContain("to 'rtmp://127.0.0.1:1/live/***'");

    // A file-owned stream cannot be changed through the API (409 naming its owner, no key in it).
    const betaSpec = beta.json<StreamDetailDto>().spec;
    const owned = await call('PUT', '/api/v1/streams/beta', { body: { ...betaSpec, name: 'Beta renamed' } });
    expect(owned.status, owned.text).toBe(409);
    expect(owned.text).toContain('STREAM_OWNED');
    // Its process still runs with the real values of its ${VAR}s.
    const betaPid = await waitFor(
      async () => {
        const s = (await call('GET', '/api/v1/streams/beta')).json<StreamDto>();
        return s.state === 'running' ? s.pid : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'beta to run' },
    );
    groups.add(betaPid);
    const betaArgv = readFileSync(`/proc/${betaPid}/cmdline`, 'utf8').split('\0');
    expect(betaArgv).toContain(`rtmp://127.0.0.1:1/live/${SECRETS.BETA_KEY}?token=${SECRETS.BETA_KEY}`);
    expect(betaArgv).toContain(SECRETS.BETA_PASS);

    // GET → edit → PUT with the masked values: the real key is kept (seen in the new process's argv).
    const gammaSpec = (await call('GET', '/api/v1/streams/gamma')).json<StreamDetailDto>().spec;
    const put = await call('PUT', '/api/v1/streams/gamma', { body: { ...gammaSpec, name: 'Gamma renamed' } });
    expect(put.status, put.text).toBe(200);
    const gammaPid = await waitFor(
      async () => {
        const s = (await call('GET', '/api/v1/streams/gamma')).json<StreamDto>();
        return s.state === 'running' && s.name === 'Gamma renamed' ? s.pid : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'gamma to run again after the PUT' },
    );
    groups.add(gammaPid);
    const argv = readFileSync(`/proc/${gammaPid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(`rtmp://127.0.0.1:1/live/gamma-${LITERAL_KEY}`);

    // Error paths.
    // Reads are open (masked); writes need the token.
    expect((await call('GET', '/api/v1/streams', { token: false })).status).toBe(200);
    expect((await call('GET', '/healthz?verbose', { token: false })).status).toBe(200);
    expect((await call('POST', '/api/v1/streams/beta/restart', { token: false })).status).toBe(401);
    expect((await call('GET', '/api/v1/streams/nope')).status).toBe(404);
    const bad = await call('POST', '/api/v1/streams', { body: { id: 'bad', output: `rtmp://127.0.0.1:1/live/${SECRETS.ALPHA_KEY}`, inputs: 7, name: SECRETS.BETA_PASS } });
    expect(bad.status).toBe(400);
    const masked = await call('PUT', '/api/v1/streams/gamma', { body: { ...gammaSpec, name: 'rtmp://127.0.0.1:1/live/***' } });
    expect(masked.status).toBe(400);
    expect((await call('POST', '/api/v1/streams/nope/restart')).status).toBe(404);
    const broken = await fetch(`${base}/api/v1/streams`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: `{"id": "x", "output": "${SECRETS.ALPHA_KEY}"`,
    });
    seen.push({ what: 'broken JSON', text: await broken.text() });
    expect(broken.status).toBe(400);

    // Shut down: the event stream ends, every process exits, the log is complete.
    for (const s of (await call('GET', '/api/v1/streams')).json<StreamDto[]>()) if (s.pid !== null) groups.add(s.pid);
    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code, stderr).toBe(0);
    await recording.done;
    expect(recording.ended()).toBe(true);
    sse.abort();
    seen.push({ what: 'SSE stream', text: recording.text() }, { what: 'daemon stdout', text: stdout }, { what: 'daemon stderr', text: stderr });

    // The log is JSON lines, and it did log the failures (with their masked URL).
    const records = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((r) => r['msg'] === 'ffmpeg exited' && r['reason'] === 'exited' && String(r['lastError']).includes('rtmp://127.0.0.1:1/live/***'))).toBe(true);

    const leaks = seen.flatMap(({ what, text }) => ALL_SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${what}`));
    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(30);
  });
});
