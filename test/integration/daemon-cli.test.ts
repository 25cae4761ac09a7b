/**
 * The real CLI as a child process (`node bin/streamwarden.js …`, i.e. the built dist/): validate,
 * usage errors, and `run` supervising two fake-ffmpeg streams, read back over HTTP and with
 * `status`, driven with `start` / `stop` / `restart`, then shut down cleanly by SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/domain/errors.js';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { freePort } from '../helpers/nginx-rtmp.js';
import { processExists, processesInGroup, reapGroups } from '../helpers/proc.js';
import { FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT } from '../helpers/built-cli.js';
import { daemonConfigHead } from '../helpers/daemon-process.js';

const DESIGN_EXAMPLE = path.join(ROOT, 'test', 'fixtures', 'config', 'design-example.yaml');


interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<CliResult>;
}

const children: CliProcess[] = [];
/** Process groups of ffmpeg runs the daemon under test reported: cleanup checks they are empty. */
const ffmpegGroups = new Set<number>();

function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const cli: CliProcess = { child, stdout: () => stdout, stderr: () => stderr, exited };
  children.push(cli);
  return cli;
}

/** Runs a short CLI command to completion (killed after `timeoutMs`). */
async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliResult> {
  const cli = startCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const result = await cli.exited;
  clearTimeout(timer);
  return result;
}

function running(cli: CliProcess): boolean {
  return cli.child.exitCode === null && cli.child.signalCode === null;
}

/** `promise`, or a rejection naming `description` after `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${description}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

let tempDir: string;

beforeAll(() => {
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-cli-'));
});

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const cli of children.splice(0)) {
    if (!running(cli)) continue;
    cli.child.kill('SIGTERM');
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 10_000);
    await cli.exited;
    clearTimeout(timer);
  }
  try {
    // A daemon that had to be SIGKILLed could not stop its streams: never leave them running.
    await reapGroups(ffmpegGroups, 'the ffmpeg process groups to be empty');
  } finally {
    ffmpegGroups.clear();
  }
});

describe('streamwarden validate and usage errors', () => {
  it('validate accepts the design example (with its variables set): exit 0', async () => {
    const result = await runCli(['validate', '--config', DESIGN_EXAMPLE], {
      STREAMWARDEN_TOKEN: 'cli-test-token',
      DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/123/cli-test-webhook-secret',
      RADIO_KEY: 'cli-test-radio-key',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('valid (2 streams)');
    expect(result.stderr).toBe('');
  });

  it('validate lists every error with its path: exit 1', async () => {
    const file = path.join(tempDir, 'broken.yaml');
    const yaml = `
server:
  listen: 127.0.0.1:99999
  bogus: true
streams:
  - id: Bad_ID
    args: [-i, in.mp4, -f, flv, out.flv]
    stallTimeout: soon
  - id: two
    inputs: [lavfi:testsrc2]
    output: rtmp://127.0.0.1/live/\${STREAMWARDEN_TEST_UNSET_VAR}
    restart: { budget: { restarts: 0 } }
    onUnhealthy: [explode]
`;
    writeFileSync(file, yaml);
    const env = { STREAMWARDEN_TEST_UNSET_VAR: undefined };
    const result = await runCli(['validate', '--config', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');

    const paths = [
      'server.listen',
      'server.bogus',
      'streams[0].id',
      'streams[0].stallTimeout',
      'streams[1].output',
      'streams[1].restart.budget.restarts',
      'streams[1].onUnhealthy[0]',
    ];
    for (const p of paths) expect(result.stderr).toContain(`  ${p}: `);
    expect(result.stderr).toContain('STREAMWARDEN_TEST_UNSET_VAR is not set');
    expect(result.stderr).toContain(`${file}: ${paths.length} problems`);
    // Exactly what the loader reports, one per line.
    let issues: readonly string[] = [];
    try {
      loadConfigText(yaml, {});
    } catch (error) {
      if (error instanceof ConfigError) issues = error.issues;
    }
    expect(issues).toHaveLength(paths.length);
    for (const issue of issues) expect(result.stderr).toContain(`  ${issue}\n`);
  });

  it('validate of a missing file: exit 1 naming it', async () => {
    const file = path.join(tempDir, 'does-not-exist.yaml');
    const result = await runCli(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
  });

  it('an unknown command or a missing option is a usage error: exit 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await runCli(['validate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--config/);
  });
});

describe('streamwarden run', () => {
  const keys = { ALPHA_KEY: 'ALPHASECRETKEY987', BETA_KEY: 'BETASECRETKEY654' };

  function streamYaml(id: string, keyVar: string): string {
    const args = [
      '-stats_period', '0.25', '-fake', 'normal', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
      '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}-\${${keyVar}}`,
    ];
    return `
  - id: ${id}
    name: Stream ${id}
    args: ${JSON.stringify(args)}
    stop: { interruptGrace: 2s, terminateGrace: 2s }
`;
  }

  async function getJson(url: string): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as unknown, text };
  }

  it('supervises two streams, reports them over HTTP and status, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'run.yaml');
    writeFileSync(
      file,
      `
${daemonConfigHead({ port, store: path.join(tempDir, 'streamwarden.db'), ffmpeg: FAKE_FFMPEG })}
streams:${streamYaml('alpha', 'ALPHA_KEY')}${streamYaml('beta', 'BETA_KEY')}`,
    );
    const daemon = startCli(['run', '--config', file], keys);
    const died = daemon.exited.then((result) => {
      throw new Error(`the daemon exited early (code ${result.code}, signal ${result.signal}):\n${result.stderr}\n${result.stdout}`);
    });
    died.catch(() => undefined); // raced below
    const alive = async <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, died]);

    await alive(
      waitFor(async () => (await fetch(`${baseUrl}/livez`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: `GET ${baseUrl}/livez to answer 200`,
      }),
    );

    // Both running, with a pid and rates computed from progress.
    const streams = await alive(
      waitFor(
        async () => {
          const { status, body } = await getJson(`${baseUrl}/api/v1/streams`);
          if (status !== 200 || !Array.isArray(body)) return undefined;
          const list = body as StreamDto[];
          const ready =
            list.length === 2 &&
            list.every((s) => s.state === 'running' && typeof s.pid === 'number' && s.progress.fps !== null && (s.progress.frames ?? 0) > 0);
          return ready ? list : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100, description: 'GET /api/v1/streams to list alpha and beta running with progress' },
      ),
    );
    expect(streams.map((s) => s.id)).toEqual(['alpha', 'beta']);
    const pids: number[] = [];
    for (const s of streams) {
      expect(Object.keys(s).sort()).toEqual(
        ['activeInput', 'desired', 'engine', 'health', 'id', 'lastCheckAt', 'lastError', 'name', 'pid', 'preview', 'progress', 'restarts', 'state', 'uptimeSeconds'],
      );
      expect(Object.keys(s.progress).sort()).toEqual(['bitrateBps', 'fps', 'frames', 'outTimeSeconds', 'speed']);
      expect(s).toMatchObject({ name: `Stream ${s.id}`, desired: 'running', state: 'running', health: 'healthy', restarts: 0, lastError: null });
      expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(s.progress.fps).toBeGreaterThan(0);
      expect(s.progress.speed).toBeGreaterThan(0);
      expect(s.progress.bitrateBps).toBeGreaterThan(0);
      expect(s.progress.outTimeSeconds).toBeGreaterThan(0);
      if (s.pid === null) throw new Error('no pid');
      pids.push(s.pid);
      ffmpegGroups.add(s.pid);
      expect(processExists(s.pid)).toBe(true);
    }
    expect(new Set(pids).size).toBe(2);
    const { text: apiText } = await getJson(`${baseUrl}/api/v1/streams`);
    for (const key of Object.values(keys)) expect(apiText).not.toContain(key);

    // `status --json` prints the same streams; the table form lists them too.
    const json = await runCli(['status', '--url', baseUrl, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const printed = JSON.parse(json.stdout) as StreamDto[];
    expect(printed.map((s) => [s.id, s.state, s.pid])).toEqual(streams.map((s) => [s.id, 'running', s.pid]));
    const table = await runCli(['status', '--url', baseUrl]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE/);
    expect(table.stdout).toMatch(/alpha\s+running\s+healthy/);
    expect(table.stdout).toMatch(/beta\s+running\s+healthy/);

    // start / stop / restart through the API.
    const stream = async (id: string): Promise<StreamDto | undefined> => {
      const { status, body } = await getJson(`${baseUrl}/api/v1/streams/${id}`);
      return status === 200 ? (body as StreamDto) : undefined;
    };
    const runningWithNewPid = (id: string, old: number) =>
      alive(
        waitFor(
          async () => {
            const s = await stream(id);
            return s?.state === 'running' && s.pid !== null && s.pid !== old ? s.pid : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 100, description: `${id} to run again with a new pid` },
        ),
      );
    const [alphaPid, betaPid] = pids as [number, number];

    const restart = await runCli(['restart', 'alpha', '--url', baseUrl]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/^alpha: restart requested \(state (stopping|starting), desired running\)\n$/);
    const alphaPid2 = await runningWithNewPid('alpha', alphaPid);
    pids.push(alphaPid2);
    ffmpegGroups.add(alphaPid2);
    expect(processExists(alphaPid)).toBe(false);

    const stop = await runCli(['stop', 'beta', '--url', baseUrl, '--json']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(JSON.parse(stop.stdout)).toMatchObject({ id: 'beta', desired: 'stopped' });
    await alive(
      waitFor(async () => (await stream('beta'))?.state === 'stopped', { timeoutMs: 15_000, intervalMs: 100, description: 'beta to stop' }),
    );
    expect(processExists(betaPid)).toBe(false);

    const illegal = await runCli(['restart', 'beta', '--url', baseUrl]);
    expect(illegal.code).toBe(1);
    expect(illegal.stderr).toContain('start it instead (409 ILLEGAL_TRANSITION)');
    expect(illegal.stdout).toBe('');

    const start = await runCli(['start', 'beta', '--url', baseUrl]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/^beta: start requested \(state starting, desired running\)\n$/);
    const betaPid2 = await runningWithNewPid('beta', betaPid);
    pids.push(betaPid2);
    ffmpegGroups.add(betaPid2);

    const unknown = await runCli(['stop', 'nosuch', '--url', baseUrl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('streamwarden: stop nosuch: no stream with id "nosuch" (404 STREAM_NOT_FOUND)\n');
    const usage = await runCli(['restart', '--url', baseUrl]);
    expect(usage.code).toBe(2);

    // SIGTERM: a clean stop of every stream, exit 0.
    expect(daemon.child.kill('SIGTERM')).toBe(true);
    const result = await withDeadline(daemon.exited, 15_000, 'the daemon to exit after SIGTERM');
    expect(result.code, result.stderr).toBe(0);
    expect(result.signal).toBeNull();
    for (const pid of pids) {
      expect(processExists(pid), `ffmpeg pid ${pid} survived the daemon`).toBe(false);
      expect(processesInGroup(pid, { includeZombies: false })).toEqual([]);
    }

    // JSON lines on stdout (not a TTY), none carrying a key.
    const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const key of Object.values(keys)) expect(result.stdout).not.toContain(key);
    expect(records.filter((r) => r['msg'] === 'ffmpeg started')).toHaveLength(4);
    expect(records.filter((r) => r['msg'] === 'ffmpeg exited' && r['reason'] === 'stopped')).toHaveLength(3);
    expect(records.filter((r) => r['msg'] === 'ffmpeg exited' && r['reason'] === 'restarted')).toHaveLength(1);
    const commands = records.filter((r) => typeof r['command'] === 'string').map((r) => String(r['command']));
    expect(commands.some((c) => c.includes('rtmp://127.0.0.1:1/live/***'))).toBe(true);
    expect(records.some((r) => r['msg'] === 'all streams stopped')).toBe(true);
  });
});
