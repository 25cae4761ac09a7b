/**
 * PM2 7 (the devDependency) in a private PM2_HOME under /tmp: start an ecosystem file, find the
 * God daemon's pid, and tear it all down (`pm2 kill` against that home only, then SIGKILL by pid
 * of whatever is left). Never touches ~/.pm2 or any other PM2.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listProcesses } from '../../test/helpers/proc.js';
import { onCleanup, signalPid } from './cleanup.js';
import { PM2_BIN } from './paths.js';
import { alive } from './proc.js';
import { pollUntil, within } from './time.js';

export interface Pm2App {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
}

export interface RunningPm2 {
  readonly home: string;
  readonly godPid: number;
  /** `pm2 kill` for this home, then SIGKILL by pid of the God daemon and its children if still there. */
  stop(): Promise<{ clean: boolean }>;
}

/** Runs the PM2 CLI against `home`; resolves with its exit code (output goes to home/cli.log). */
async function pm2Cli(home: string, args: readonly string[], timeoutMs: number): Promise<number | null> {
  const logFd = openSync(path.join(home, 'cli.log'), 'a');
  const child = spawn(process.execPath, [PM2_BIN, ...args], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, PM2_HOME: home },
  });
  closeSync(logFd);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const unregister = onCleanup(() => {
    if (pid !== undefined) signalPid(pid, 'SIGKILL');
  });
  const code = await within(exited, timeoutMs);
  unregister();
  if (code === 'timeout') {
    if (pid !== undefined) signalPid(pid, 'SIGKILL');
    throw new Error(`pm2 ${args.join(' ')} did not finish within ${timeoutMs} ms (see ${home}/cli.log)`);
  }
  return code;
}

function readGodPid(home: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(home, 'pm2.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** SIGKILL, by pid, the live children of `godPid` (fork mode: each leads its own group) and the daemon. */
function killGodTree(godPid: number): void {
  for (const child of listProcesses()) {
    if (child.ppid === godPid && child.state !== 'Z') {
      signalPid(-child.pid, 'SIGKILL');
      signalPid(child.pid, 'SIGKILL');
    }
  }
  signalPid(godPid, 'SIGKILL');
}

/** Starts `apps` (fork mode, interpreter none, autorestart) under a fresh private PM2 daemon. */
export async function startPm2(apps: readonly Pm2App[], options: { timeoutMs: number }): Promise<RunningPm2> {
  // Short path: PM2's unix sockets live in PM2_HOME (sun_path is limited to 108 bytes).
  const home = mkdtempSync('/tmp/sw-pm2-');
  const unregister = onCleanup(() => {
    const pid = readGodPid(home);
    if (pid !== undefined && alive(pid)) killGodTree(pid);
  });
  const ecosystem = path.join(home, 'ecosystem.config.cjs');
  const config = {
    apps: apps.map((app) => ({
      name: app.name,
      script: app.script,
      args: [...app.args],
      interpreter: 'none',
      exec_mode: 'fork',
      instances: 1,
      autorestart: true,
      cwd: home,
    })),
  };
  writeFileSync(ecosystem, `module.exports = ${JSON.stringify(config, null, 1)};\n`);

  const teardown = async (): Promise<{ clean: boolean }> => {
    let clean = true;
    const pid = readGodPid(home);
    if (existsSync(path.join(home, 'rpc.sock'))) {
      try {
        const code = await pm2Cli(home, ['kill'], 120_000);
        if (code !== 0) clean = false;
      } catch {
        clean = false;
      }
    }
    if (pid !== undefined) {
      try {
        await pollUntil(() => (alive(pid) ? undefined : true), { timeoutMs: 15_000, intervalMs: 100, description: `PM2 daemon ${pid} to exit` });
      } catch {
        clean = false;
        killGodTree(pid);
      }
    }
    unregister();
    rmSync(home, { recursive: true, force: true });
    return { clean };
  };

  try {
    const code = await pm2Cli(home, ['start', ecosystem], options.timeoutMs);
    if (code !== 0) throw new Error(`pm2 start exited with code ${code}:\n${readFileSync(path.join(home, 'cli.log'), 'utf8').slice(-2000)}`);
    const godPid = readGodPid(home);
    if (godPid === undefined || !alive(godPid)) throw new Error(`no live PM2 daemon after pm2 start (${home}/pm2.pid)`);
    return { home, godPid, stop: teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}
