/**
 * The daemon CLI (built dist/) with its store and reconciler: config hot reload (edit one stream →
 * only it restarts; a broken edit → rejected, nothing changes; SIGHUP re-reads the file), a stream
 * created through the API survives a daemon restart, and the API refuses to change a file-owned
 * stream (409 STREAM_OWNED); an unavailable store (runs from the config, /readyz store failing,
 * API writes 503); `controller.url` followed (reference controller in-process).
 */
import { systemClock } from '../../src/adapters/system-clock.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceController } from '../../src/controller/reference-controller.js';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { freePort } from '../helpers/nginx-rtmp.js';
import { FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT } from '../helpers/built-cli.js';



interface Daemon {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

const daemons: Daemon[] = [];
/** Every ffmpeg pid seen: killed (group) after each test in case a daemon could not stop it. */
const seenPids = new Set<number>();

function startDaemon(config: string): Daemon {
  const child = spawn(process.execPath, [CLI, 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: string) => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const daemon = { child, output: () => output, exited };
  daemons.push(daemon);
  return daemon;
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 10_000);
  await daemon.exited;
  clearTimeout(timer);
}

function streamYaml(id: string, marker: string): string {
  const args = ['-stats_period', '0.25', '-fake', 'normal', '-re', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:${marker}`, '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}`];
  return `\n  - id: ${id}\n    args: ${JSON.stringify(args)}\n    stop: { interruptGrace: 2s, terminateGrace: 2s }\n`;
}

function configYaml(port: number, db: string, streams: string): string {
  return `server:\n  listen: 127.0.0.1:${port}\nstorage:\n  path: ${JSON.stringify(db)}\nffmpeg:\n  path: ${JSON.stringify(FAKE_FFMPEG)}\nstreams:${streams}`;
}

async function api(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The running streams' pids by id, once exactly `ids` run with a pid. */
async function runningPids(baseUrl: string, ids: readonly string[], description: string): Promise<Map<string, number>> {
  return waitFor(
    async () => {
      const { status, body } = await api(`${baseUrl}/api/v1/streams`).catch(() => ({ status: 0, body: undefined }));
      if (status !== 200 || !Array.isArray(body)) return undefined;
      const list = body as StreamDto[];
      if (list.map((s) => s.id).join(',') !== ids.join(',')) return undefined;
      if (!list.every((s) => s.state === 'running' && typeof s.pid === 'number')) return undefined;
      const pids = new Map(list.map((s) => [s.id, s.pid as number]));
      for (const pid of pids.values()) seenPids.add(pid);
      return pids;
    },
    { timeoutMs: 20_000, intervalMs: 100, description },
  );
}

let tempDir: string;

beforeAll(() => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-reload-'));
});

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const daemon of daemons.splice(0)) await stopDaemon(daemon);
  for (const pid of seenPids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  seenPids.clear();
});

describe('daemon with store and reconciler', () => {
  it('hot reload: an edited stream restarts alone; a broken edit is rejected and nothing changes', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'reload.yaml');
    const db = path.join(tempDir, 'reload.db');
    writeFileSync(file, configYaml(port, db, streamYaml('alpha', 'v1') + streamYaml('beta', 'v1')));
    const daemon = startDaemon(file);
    const before = await runningPids(baseUrl, ['alpha', 'beta'], 'alpha and beta running');

    writeFileSync(file, configYaml(port, db, streamYaml('alpha', 'v1') + streamYaml('beta', 'v2')));
    const after = await waitFor(
      async () => {
        const pids = await runningPids(baseUrl, ['alpha', 'beta'], 'alpha and beta running');
        return pids.get('beta') !== before.get('beta') ? pids : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'beta to restart with its edited spec' },
    );
    expect(after.get('alpha')).toBe(before.get('alpha'));

    writeFileSync(file, configYaml(port, db, streamYaml('alpha', 'v3')) + '\n  - id: Broken_ID\n');
    await waitFor(() => daemon.output().includes('config reload rejected'), { timeoutMs: 10_000, description: 'the broken file to be rejected' });
    // SIGHUP re-reads it: rejected again.
    daemon.child.kill('SIGHUP');
    await waitFor(() => daemon.output().split('config reload rejected').length > 2, { timeoutMs: 10_000, description: 'the SIGHUP reload to be rejected' });
    const unchanged = await runningPids(baseUrl, ['alpha', 'beta'], 'alpha and beta still running');
    expect([...unchanged]).toEqual([...after]);

    await stopDaemon(daemon);
    expect(await daemon.exited).toBe(0);
  }, 90_000);

  it('a stream created through the API survives a restart; a file-owned stream cannot be changed through the API', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'api.yaml');
    const db = path.join(tempDir, 'api.db');
    writeFileSync(file, configYaml(port, db, streamYaml('alpha', 'v1')));
    const first = startDaemon(file);
    await runningPids(baseUrl, ['alpha'], 'alpha running');

    const args = ['-stats_period', '0.25', '-fake', 'normal', '-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', 'rtmp://127.0.0.1:1/live/viaapi'];
    const created = await api(`${baseUrl}/api/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'viaapi', args }),
    });
    expect(created.status).toBe(201);
    await runningPids(baseUrl, ['alpha', 'viaapi'], 'alpha and viaapi running');

    const owned = await api(`${baseUrl}/api/v1/streams/alpha`, { method: 'DELETE' });
    expect(owned.status).toBe(409);
    expect(owned.body).toMatchObject({ error: { code: 'STREAM_OWNED' } });
    expect(JSON.stringify(owned.body)).toContain('owned by file');

    await stopDaemon(first);
    expect(await first.exited).toBe(0);

    startDaemon(file);
    await runningPids(baseUrl, ['alpha', 'viaapi'], 'alpha and viaapi running again after the restart');
    const deleted = await api(`${baseUrl}/api/v1/streams/viaapi`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const left = await api(`${baseUrl}/api/v1/streams`);
    expect((left.body as StreamDto[]).map((s) => s.id)).toEqual(['alpha']);
  }, 90_000);

  it('an unavailable store: streams run from the config, /readyz reports the store failing, API writes answer 503', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const blocker = path.join(tempDir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the store folder should be');
    const file = path.join(tempDir, 'nostore.yaml');
    writeFileSync(file, configYaml(port, path.join(blocker, 'sw.db'), streamYaml('alpha', 'v1')));
    const daemon = startDaemon(file);
    await runningPids(baseUrl, ['alpha'], 'alpha running without a store');
    const ready = await api(`${baseUrl}/readyz?verbose`);
    expect(ready.status).toBe(503);
    const components = (ready.body as { components: { name: string; status: string }[] }).components;
    expect(components.find((c) => c.name === 'store')?.status).toBe('fail');
    expect(components.find((c) => c.name === 'reconcile')?.status).toBe('pass');
    const refused = await api(`${baseUrl}/api/v1/streams/alpha/stop`, { method: 'POST' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
    expect(daemon.output()).toContain('the store is unavailable');
    await stopDaemon(daemon);
    expect(await daemon.exited).toBe(0);
  }, 60_000);

  it('follows the controller of controller.url: its streams run, the API may not delete them, a remove stops them', async () => {
    const edgeArgs = ['-stats_period', '0.25', '-fake', 'normal', '-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', 'rtmp://127.0.0.1:1/live/edge'];
    const controller = await startReferenceController({ clock: systemClock, streams: [{ id: 'edge', args: edgeArgs }], heartbeatMs: 1_000 });
    try {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const file = path.join(tempDir, 'controller.yaml');
      const yaml = configYaml(port, path.join(tempDir, 'controller.db'), streamYaml('alpha', 'v1'));
      writeFileSync(file, `${yaml}controller:\n  url: ${JSON.stringify(controller.eventsUrl)}\n`);
      const daemon = startDaemon(file);
      await runningPids(baseUrl, ['alpha', 'edge'], 'alpha (file) and edge (controller) running');
      const refused = await api(`${baseUrl}/api/v1/streams/edge`, { method: 'DELETE' });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toContain('owned by controller');
      expect(controller.remove('edge')).toBe(true);
      await runningPids(baseUrl, ['alpha'], 'edge removed by the controller');
      await stopDaemon(daemon);
      expect(await daemon.exited).toBe(0);
    } finally {
      await controller.close();
    }
  }, 60_000);
});
