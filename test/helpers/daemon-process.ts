/**
 * The built daemon (`node bin/streamwarden.js run --config FILE`) as a child process on a free
 * loopback port, for end-to-end tests: waits for /readyz, remembers the ffmpeg process groups it
 * reported, and on stop SIGTERMs it and SIGKILLs any of those groups still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, stopChild } from './built-cli.js';
import { freePort } from './nginx-rtmp.js';
import { reapGroups } from './proc.js';
import { waitFor } from './wait-for.js';

export interface DaemonProcess {
  readonly base: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far (the daemon's log). */
  output(): string;
  /** Remembers a stream's ffmpeg pid (its own process group), to be sure it is gone at the end. */
  track(pid: number): void;
  stop(): Promise<void>;
}

/** The head every test config starts with: the loopback port, the SQLite file and the ffmpeg binary. */
export function daemonConfigHead(options: { readonly port: number; readonly store: string; readonly ffmpeg: string }): string {
  return ['server:', `  listen: 127.0.0.1:${options.port}`, 'storage:', `  path: ${JSON.stringify(options.store)}`, 'ffmpeg:', `  path: ${JSON.stringify(options.ffmpeg)}`].join('\n');
}

export async function startDaemon(dir: string, configYaml: (port: number) => string, env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, configYaml(port));
  const child = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const groups = new Set<number>();
  const daemon: DaemonProcess = {
    base,
    child,
    output: () => output,
    track: (pid) => groups.add(pid),
    stop: async () => {
      await stopChild(child);
      await reapGroups(groups);
    },
  };
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `${base}/readyz to answer 200`,
    });
  } catch (error) {
    await daemon.stop();
    throw new Error(`the daemon did not get ready; its output:\n${output}`, { cause: error });
  }
  return daemon;
}
