/**
 * Notifications through the daemon as users run it (`node bin/streamwarden.js run`, the built
 * dist/): a webhook notifier pointing at a local HTTP server, and a stream whose fake ffmpeg exits
 * at start (`-fake exit-at-start`) so that it exhausts its restart budget and enters a crash loop
 * within a second or two. The local server must receive an Alertmanager-shaped webhook about that
 * stream, with neither the webhook's secret path nor the stream key in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/nginx-rtmp.js';
import { FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT, stopChild } from '../helpers/built-cli.js';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest } from '../helpers/fake-http-server.js';
import { daemonConfigHead } from '../helpers/daemon-process.js';



const SECRETS = { HOOK_TOKEN: 'HookToken5a6b7c8d', CAM_KEY: 'CamKey3e4f5a6b' };

let tempDir: string;
let hook: FakeHttpServer;
const received = (): RecordedRequest[] => hook.requests;
let daemon: ChildProcess | undefined;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-notify-'));
  hook = await startFakeHttpServer(() => ({ body: {} }));
});

afterAll(async () => {
  await stopChild(daemon);
  await hook.close();
  rmSync(tempDir, { recursive: true, force: true });
});

function configYaml(port: number): string {
  const args = ['-fake', 'exit-at-start', '-i', 'rtmp://127.0.0.1:1/live/cam-${CAM_KEY}', '-f', 'flv', 'rtmp://127.0.0.1:1/out/${CAM_KEY}'];
  return `
${daemonConfigHead({ port, store: path.join(tempDir, 'streamwarden.db'), ffmpeg: FAKE_FFMPEG })}
notifiers:
  - { id: ops, type: webhook, url: "${hook.url}/hook/\${HOOK_TOKEN}" }
alerts:
  for: { crashloop: 200ms, unhealthy: 200ms }
  groupWindow: 200ms
streams:
  - id: cam
    name: Front camera
    args: ${JSON.stringify(args)}
    restart: { backoffInitial: 50ms, backoffMax: 100ms, budget: { restarts: 2, within: 1m } }
    stop: { interruptGrace: 1s, terminateGrace: 1s }
`;
}

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}

describe('notifications through the daemon', () => {
  it('a stream in a crash loop reaches a webhook notifier as an Alertmanager-shaped message, without secrets', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'config.yaml');
    writeFileSync(file, configYaml(port));
    daemon = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: { ...process.env, ...SECRETS }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    daemon.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    daemon.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

    await waitFor(async () => (await fetch(`${base}/livez`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `${base}/livez to answer 200`,
    });

    const crashloopAlert = (): { body: Record<string, unknown>; alert: WebhookAlert } | undefined => {
      for (const r of received()) {
        const body = JSON.parse(r.body) as Record<string, unknown>;
        const alerts = (body.alerts ?? []) as WebhookAlert[];
        const alert = alerts.find((a) => a.labels.alertname === 'crashloop' && a.labels.stream === 'cam');
        if (alert !== undefined) return { body, alert };
      }
      return undefined;
    };
    await waitFor(() => crashloopAlert() !== undefined, { timeoutMs: 30_000, intervalMs: 100, description: 'the webhook to receive the crash-loop alert for cam' });

    const found = crashloopAlert();
    expect(found?.body).toMatchObject({ version: '4', status: 'firing', receiver: 'ops' });
    expect(found?.alert).toMatchObject({ status: 'firing', labels: { alertname: 'crashloop', severity: 'critical', stream: 'cam' }, endsAt: '0001-01-01T00:00:00Z' });
    expect(found?.alert.annotations.summary).toContain('Front camera is in a crash loop');
    expect(found?.alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(Number.isNaN(Date.parse(found?.alert.startsAt ?? ''))).toBe(false);
    // Sent to the configured path; the secret is in the URL only, never in a body or the log.
    expect(received()[0]?.url).toBe(`/hook/${SECRETS.HOOK_TOKEN}`);
    for (const r of received()) for (const secret of Object.values(SECRETS)) expect(r.body).not.toContain(secret);

    const metrics = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (metrics.status === 200) expect(await metrics.text()).toMatch(/streamwarden_notifications_total\{[^}]*notifier="ops"[^}]*result="sent"[^}]*\} [1-9]/);

    const child = daemon;
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  }, 60_000);
});
