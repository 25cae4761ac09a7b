/**
 * Runs the REAL daemon (`node bin/streamwarden.js run --config FILE`) on a generated
 * configuration, in a temporary directory, on a free loopback port; reads its stream list; stops
 * it (SIGTERM, then SIGKILL of it and of every child it left).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../test/helpers/nginx-rtmp.js';
import { listProcesses } from '../../test/helpers/proc.js';
import { onCleanup, signalPid } from './cleanup.js';
import { CLI } from './paths.js';
import { pollUntil, within } from './time.js';

/** The part of GET /api/v1/streams the benchmarks read. */
export interface StreamView {
  readonly id: string;
  readonly state: string;
  readonly pid: number | null;
  readonly restarts: number;
}

export interface RunningDaemon {
  readonly pid: number;
  readonly url: string;
  readonly dir: string;
  readonly logPath: string;
  streams(): Promise<StreamView[]>;
  stream(id: string): Promise<StreamView>;
  /** The last lines of the daemon's log, for error messages. */
  logTail(lines?: number): string;
  /**
   * SIGTERM and wait up to `timeoutMs` for a clean exit; then SIGKILL every child process group
   * and the daemon. Removes the temp dir unless `keepDir`.
   */
  stop(options?: { timeoutMs?: number; keepDir?: boolean }): Promise<{ clean: boolean; code: number | null; signal: string | null }>;
}

export interface DaemonConfig {
  readonly ffmpegPath: string;
  readonly streams: readonly Record<string, unknown>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toStreamView(value: unknown): StreamView {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.state !== 'string') {
    throw new Error(`unexpected stream in /api/v1/streams: ${JSON.stringify(value)}`);
  }
  return {
    id: value.id,
    state: value.state,
    pid: typeof value.pid === 'number' ? value.pid : null,
    restarts: typeof value.restarts === 'number' ? value.restarts : 0,
  };
}

/** Kills by pid what the daemon started (its direct children, each leading its own group), then the daemon. */
function killDaemonTree(daemonPid: number): void {
  for (const child of listProcesses()) {
    if (child.ppid === daemonPid && child.state !== 'Z') {
      // Children are spawned detached: pid = pgid. Signal the group, and the pid in case it is not.
      signalPid(-child.pid, 'SIGKILL');
      signalPid(child.pid, 'SIGKILL');
    }
  }
  signalPid(daemonPid, 'SIGKILL');
}

export async function startRealDaemon(config: DaemonConfig, options: { startTimeoutMs?: number } = {}): Promise<RunningDaemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-bench-'));
  const port = await freePort();
  const configPath = path.join(dir, 'streamwarden.yaml');
  const logPath = path.join(dir, 'daemon.log');
  writeFileSync(
    configPath,
    stringify({
      server: { listen: `127.0.0.1:${port}` },
      storage: { path: path.join(dir, 'streamwarden.db') },
      ffmpeg: { path: config.ffmpegPath },
      streams: config.streams,
    }),
  );

  const logFd = openSync(logPath, 'a');
  // Not detached: a Ctrl-C in the terminal reaches the daemon too, which then stops its streams.
  const child = spawn(process.execPath, [CLI, 'run', '--config', configPath], {
    cwd: dir,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${CLI}`);
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const unregister = onCleanup(() => {
    if (exit === undefined) killDaemonTree(pid);
    rmSync(dir, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${port}`;
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const streams = async (): Promise<StreamView[]> => {
    const response = await fetch(`${url}/api/v1/streams`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET ${url}/api/v1/streams: HTTP ${response.status}`);
    const body: unknown = await response.json();
    if (!Array.isArray(body)) throw new Error('GET /api/v1/streams did not return an array');
    return body.map(toStreamView);
  };

  let stopping: Promise<{ clean: boolean; code: number | null; signal: string | null }> | undefined;
  const daemon: RunningDaemon = {
    pid,
    url,
    dir,
    logPath,
    streams,
    stream: async (id) => {
      const found = (await streams()).find((s) => s.id === id);
      if (found === undefined) throw new Error(`the daemon has no stream ${id}`);
      return found;
    },
    logTail,
    stop: (stopOptions = {}) =>
      (stopping ??= (async () => {
        let clean = true;
        if (exit === undefined) {
          signalPid(pid, 'SIGTERM');
          const timeoutMs = stopOptions.timeoutMs ?? 60_000;
          const timedOut = (await within(exited, timeoutMs)) === 'timeout';
          if (timedOut) {
            clean = false;
            killDaemonTree(pid);
            await within(exited, 5_000);
          }
        }
        unregister();
        if (!stopOptions.keepDir && clean) rmSync(dir, { recursive: true, force: true });
        return { clean, code: exit?.code ?? null, signal: exit?.signal ?? null };
      })()),
  };

  try {
    await pollUntil(
      async () => {
        if (exit !== undefined) throw new Error(`the daemon exited (code ${exit.code}, signal ${exit.signal})`);
        await streams();
        return true;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 100, description: `the daemon to answer ${url}/api/v1/streams` },
    );
  } catch (error) {
    const tail = logTail();
    await daemon.stop({ timeoutMs: 5_000, keepDir: true });
    throw new Error(`the daemon did not start: ${error instanceof Error ? error.message : String(error)}\nlog (${logPath}):\n${tail}`, { cause: error });
  }
  return daemon;
}
