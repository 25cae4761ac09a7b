/**
 * The engine pool through the daemon as users run it (`node bin/streamwarden.js run`, the built
 * dist/): two fake Acestream engines on 127.0.0.1 from the config, one healthy and one answering
 * HTTP 500, polled every 200 ms. The API lists both with their health after a poll, acquire hands
 * out the healthy one (and says why when none is left), and the unhealthy engine's transition
 * reaches a webhook notifier as an `engine-unhealthy` alert.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHttpServer, type FakeHttpServer } from '../helpers/fake-http-server.js';
import { freePort } from '../helpers/nginx-rtmp.js';
import { FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT, stopChild } from '../helpers/built-cli.js';
import { daemonConfigHead } from '../helpers/daemon-process.js';



interface EngineDto {
  id: string;
  health_status: string;
  last_health_check: string | null;
  last_error: string | null;
  streams: unknown[];
}

let tempDir: string;
let good: FakeHttpServer;
let bad: FakeHttpServer;
let hook: FakeHttpServer;
const hookBodies = (): string[] => hook.requests.map((r) => r.body);
let daemon: ChildProcess | undefined;

const portOf = (server: FakeHttpServer): number => Number(new URL(server.url).port);

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-engines-'));
  good = await startFakeHttpServer((request) =>
    request.path === '/server/api' && request.query.get('method') === 'get_status' ? { body: { result: { status: 'idle' }, error: null } } : { status: 404, body: 'not found' },
  );
  bad = await startFakeHttpServer(() => ({ status: 500, body: 'Internal Server Error' }));
  hook = await startFakeHttpServer(() => ({ body: {} }));
});

afterAll(async () => {
  await stopChild(daemon);
  await good.close();
  await bad.close();
  await hook.close();
  rmSync(tempDir, { recursive: true, force: true });
});

describe('engine pools through the daemon', () => {
  it('lists config engines with their polled health, hands out the healthy one, and alerts on the unhealthy one', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'config.yaml');
    writeFileSync(
      file,
      `
${daemonConfigHead({ port, store: path.join(tempDir, 'streamwarden.db'), ffmpeg: FAKE_FFMPEG })}
notifiers:
  - { id: ops, type: webhook, url: "${hook.url}/hook" }
alerts:
  groupWindow: 100ms
engines:
  - { id: good, host: 127.0.0.1, port: ${portOf(good)}, labels: { pool: a } }
  - { id: bad, host: 127.0.0.1, port: ${portOf(bad)}, labels: { pool: a } }
enginePolling: { interval: 200ms, timeout: 1s, failureThreshold: 1, successThreshold: 1, grace: 0s }
`,
    );
    daemon = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    daemon.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    daemon.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

    await waitFor(async () => (await fetch(`${base}/livez`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `${base}/livez to answer 200 (daemon output: ${output.slice(-500)})`,
    });

    const list = async (): Promise<EngineDto[]> => (await (await fetch(`${base}/api/v1/engines`, { signal: AbortSignal.timeout(5_000) })).json()) as EngineDto[];
    await waitFor(
      async () => {
        const engines = await list();
        return engines.find((e) => e.id === 'good')?.health_status === 'healthy' && engines.find((e) => e.id === 'bad')?.health_status === 'unhealthy';
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'good to be healthy and bad unhealthy after a poll' },
    );
    const engines = await list();
    expect(engines.map((e) => e.id).sort()).toEqual(['bad', 'good']);
    for (const engine of engines) expect(Number.isNaN(Date.parse(engine.last_health_check ?? ''))).toBe(false);
    expect(engines.find((e) => e.id === 'bad')?.last_error).toContain('500');

    const acquire = (): Promise<Response> =>
      fetch(`${base}/api/v1/engines/acquire`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ labels: { pool: 'a' }, stream: 'cam' }),
        signal: AbortSignal.timeout(5_000),
      });
    const first = await acquire();
    expect(first.status).toBe(200);
    const claim = (await first.json()) as { claim_id: string; engine: EngineDto };
    expect(claim.engine.id).toBe('good');
    expect(claim.claim_id).toEqual(expect.any(String));
    // Its one slot is taken and the other engine is unhealthy: nothing is handed out.
    const second = await acquire();
    expect(second.status).toBe(503);
    expect(await second.text()).toMatch(/ENGINES_AT_CAPACITY|NO_HEALTHY_ENGINE/);

    // The unhealthy engine's transition reached the global notifier.
    await waitFor(() => hookBodies().some((b) => b.includes('"alertname":"engine-unhealthy"') && b.includes('"stream":"engine:bad"')), {
      timeoutMs: 10_000,
      intervalMs: 100,
      description: 'the webhook to receive the engine-unhealthy alert for bad',
    });
    expect(hookBodies().some((b) => b.includes('engine:good'))).toBe(false);

    const child = daemon;
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('keeps API engines, their last stream usage and claims across a daemon restart on the same store; a reload re-applies the config engines', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'persist.yaml');
    writeFileSync(
      file,
      `
${daemonConfigHead({ port, store: path.join(tempDir, 'persist.db'), ffmpeg: FAKE_FFMPEG })}
engines:
  - { id: cfg, host: 127.0.0.1, port: ${portOf(bad)} }
enginePolling: { interval: 200ms, timeout: 1s, failureThreshold: 1, successThreshold: 1, grace: 0s }
`,
    );
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      daemon = child;
      let output = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await waitFor(async () => (await fetch(`${base}/livez`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: `${base}/livez to answer 200 (daemon output: ${output.slice(-500)})`,
      });
      return child;
    };
    const engine = async (id: string): Promise<(EngineDto & { source: string; last_stream_usage: string | null }) | undefined> => {
      const response = await fetch(`${base}/api/v1/engines/${id}`, { signal: AbortSignal.timeout(5_000) });
      return response.status === 200 ? ((await response.json()) as EngineDto & { source: string; last_stream_usage: string | null }) : undefined;
    };

    const first = await start();
    const added = await fetch(`${base}/api/v1/engines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'api-1', host: '127.0.0.1', port: portOf(good), capacity: 2, labels: { pool: 'p' } }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(added.status).toBe(201);
    await waitFor(async () => (await engine('api-1'))?.health_status === 'healthy', { timeoutMs: 10_000, intervalMs: 100, description: 'api-1 to be healthy' });
    const acquired = await fetch(`${base}/api/v1/engines/acquire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labels: { pool: 'p' }, stream: 'cam9' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(acquired.status).toBe(200);
    const claim = (await acquired.json()) as { claim_id: string; acquired_at: string };
    const before = await engine('api-1');
    expect(before).toMatchObject({ source: 'api', streams: ['cam9'], last_stream_usage: claim.acquired_at });

    const firstExit = new Promise<number | null>((resolve) => first.once('close', (code) => resolve(code)));
    first.kill('SIGTERM');
    expect(await firstExit).toBe(0);

    const second = await start();
    expect(await engine('api-1')).toMatchObject({ source: 'api', streams: ['cam9'], last_stream_usage: claim.acquired_at, labels: { pool: 'p' } });
    expect(await engine('cfg')).toMatchObject({ source: 'config' });
    // The claim is the same one: releasing it frees the slot.
    const released = await fetch(`${base}/api/v1/engines/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ claim_id: claim.claim_id }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(released.status).toBe(200);
    expect((await engine('api-1'))?.streams).toEqual([]);

    // A reload (SIGHUP) re-applies the config engines: cfg goes, cfg2 comes and is polled; API engines stay.
    writeFileSync(file, readFileSync(file, 'utf8').replace(`{ id: cfg, host: 127.0.0.1, port: ${portOf(bad)} }`, `{ id: cfg2, host: 127.0.0.1, port: ${portOf(good)} }`));
    second.kill('SIGHUP');
    await waitFor(async () => (await engine('cfg2'))?.health_status === 'healthy', { timeoutMs: 10_000, intervalMs: 100, description: 'cfg2 from the reloaded config to be healthy' });
    expect(await engine('cfg')).toBeUndefined();
    expect(await engine('api-1')).toMatchObject({ source: 'api' });

    const secondExit = new Promise<number | null>((resolve) => second.once('close', (code) => resolve(code)));
    second.kill('SIGTERM');
    expect(await secondExit).toBe(0);
  }, 90_000);
});
