/**
 * FifoProcessRunner with the fake ffmpeg: a process survives the death (SIGKILL) of the process
 * that spawned it and a new runner re-attaches to it; validation refuses what is not provably
 * ours and never signals it.
 *
 * "The daemon" that dies is a real node process (test/helpers/fifo-spawner.ts) so that the FIFO
 * reader really goes away with a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cmdlineHashForArgs, cmdlineMatches } from '../../src/adapters/process/adoption-check.js';
import { FifoProcessRunner } from '../../src/adapters/process/fifo-process-runner.js';
import { linuxProcessSystem } from '../../src/adapters/process/process-system.js';
import { sweepRuntimeDir } from '../../src/adapters/process/runtime-dir.js';
import type { AdoptRequest, ProcessExit, ProcessHandlers, RuntimeIdentity } from '../../src/ports/process-runner.js';
import { processAlive, processesInGroup } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { systemClock } from '../../src/adapters/system-clock.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_FFMPEG = fileURLToPath(new URL('../fixtures/fake-ffmpeg.mjs', import.meta.url));
const SPAWNER = fileURLToPath(new URL('../helpers/fifo-spawner.ts', import.meta.url));
const FPS = 25;

const fakeArgs = (...extra: string[]): string[] => [
  '-progress', 'pipe:3', '-stats_period', '0.2', '-fake', 'normal', '-re', '-f', 'lavfi',
  '-i', 'testsrc2=size=320x240:rate=25', ...extra, '-f', 'flv', 'rtmp://127.0.0.1:1/live/key',
];
const systemFfmpeg = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
/** Real ffmpeg, encoding nowhere in real time; `-stats` so stderr has a line per period too. */
const realArgs = [
  '-hide_banner', '-nostdin', '-stats', '-progress', 'pipe:3', '-stats_period', '0.2', '-re', '-f', 'lavfi',
  '-i', 'testsrc2=size=160x120:rate=25', '-f', 'null', '-',
];

let root: string;
const spawners: ChildProcess[] = [];
/** Processes to clean up by pid (and start time) if a test leaves them behind. */
const leftovers: RuntimeIdentity[] = [];
const timings: string[] = [];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sw-reattach-'));
});

afterEach(async () => {
  for (const spawner of spawners.splice(0)) {
    if (spawner.exitCode === null && spawner.signalCode === null && spawner.pid !== undefined) process.kill(spawner.pid, 'SIGKILL');
  }
  for (const identity of leftovers.splice(0)) await killByPid(identity);
});

afterAll(() => {
  sweepRuntimeDir(root, []);
  rmSync(root, { recursive: true, force: true });
  if (timings.length > 0) console.info(`reattach-runner timings:\n  ${timings.join('\n  ')}`);
});

/** True while `identity.pid` is still that very process (same start time) and not a zombie. */
function sameProcessAlive(identity: RuntimeIdentity): boolean {
  const stat = linuxProcessSystem.stat(identity.pid);
  return stat !== undefined && stat.startTimeTicks === identity.startTicks && stat.state !== 'Z';
}

/** The test's own cleanup: SIGKILL the group, only if the pid is still the process we know. */
async function killByPid(identity: RuntimeIdentity): Promise<void> {
  if (!sameProcessAlive(identity)) return;
  process.kill(-identity.pgid, 'SIGKILL');
  await waitFor(() => !processAlive(identity.pid), { description: `process ${identity.pid} to die`, timeoutMs: 5000 });
}

interface Doomed {
  identity: RuntimeIdentity;
  /** The last frame the spawner saw before it was killed. */
  frame: number;
  spawner: ChildProcess;
}

/** Starts (the fake) ffmpeg from a separate node process through a FifoProcessRunner. */
async function spawnThroughDoomedDaemon(command = FAKE_FFMPEG, args = fakeArgs()): Promise<Doomed> {
  const spawner = spawn(process.execPath, ['--import', 'tsx', SPAWNER, root, command, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawners.push(spawner);
  let out = '';
  let err = '';
  spawner.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  spawner.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const line = await waitFor(
    () => {
      if (spawner.exitCode !== null) throw new Error(`spawner exited ${spawner.exitCode}: ${out} ${err}`);
      return out.split('\n').find((l) => l.startsWith('ENTRY '));
    },
    { description: 'the spawner to print its registry entry', timeoutMs: 20_000 },
  );
  const parsed = JSON.parse(line.slice('ENTRY '.length)) as { identity: RuntimeIdentity; frame: number };
  leftovers.push(parsed.identity);
  return { ...parsed, spawner };
}

async function killSpawner(doomed: Doomed): Promise<void> {
  const { spawner } = doomed;
  if (spawner.pid === undefined) throw new Error('spawner has no pid');
  process.kill(spawner.pid, 'SIGKILL');
  await waitFor(() => spawner.signalCode === 'SIGKILL', { description: 'the spawner to die of SIGKILL', timeoutMs: 5000 });
}

interface Recording {
  handlers: ProcessHandlers;
  progress: () => string;
  stderr: () => string;
  exit: () => ProcessExit | undefined;
  exitCalls: () => number;
}

function record(): Recording {
  let progress = '';
  let stderr = '';
  let exit: ProcessExit | undefined;
  let exitCalls = 0;
  return {
    handlers: {
      onProgress: (chunk) => {
        progress += chunk;
      },
      onStderr: (chunk) => {
        stderr += chunk;
      },
      onExit: (e) => {
        exitCalls += 1;
        exit = e;
      },
    },
    progress: () => progress,
    stderr: () => stderr,
    exit: () => exit,
    exitCalls: () => exitCalls,
  };
}

function frames(progress: string): number[] {
  return [...progress.matchAll(/^frame=(\d+)$/gm)].map((m) => Number(m[1]));
}

describe('FifoProcessRunner: surviving the daemon', () => {
  async function surviveAndAdopt(name: string, command: string, args: readonly string[], stopMessage: string): Promise<void> {
    const doomed = await spawnThroughDoomedDaemon(command, [...args]);
    const { identity } = doomed;
    expect(identity.pgid).toBe(identity.pid);
    expect(identity.bootId).toBe(linuxProcessSystem.bootId());
    expect(identity.startTicks).toBe(linuxProcessSystem.stat(identity.pid)?.startTimeTicks);
    expect(cmdlineMatches(identity.cmdlineHash, readFileSync(`/proc/${identity.pid}/cmdline`))).toBe(true);

    await killSpawner(doomed);
    const killedAt = Date.now();
    // Nobody reads the FIFOs now. ffmpeg must neither die (SIGPIPE/EPIPE) nor be replaced.
    let died = false;
    await waitFor(
      () => {
        if (!sameProcessAlive(identity)) died = true;
        return died || Date.now() - killedAt >= 2500;
      },
      { description: 'the fake ffmpeg to run 2.5 s without a reader', timeoutMs: 6000, intervalMs: 100 },
    );
    expect(died).toBe(false);

    const runner = new FifoProcessRunner({ clock: systemClock, runtimeDir: root });
    const b = record();
    const adoptStarted = performance.now();
    const result = runner.adopt(identity, b.handlers);
    timings.push(`${name}: adopt (validation + reopening FIFOs): ${(performance.now() - adoptStarted).toFixed(2)} ms`);
    expect(result).toMatchObject({ adopted: true, missingPipes: [] });
    if (!result.adopted) return;
    const gapSeconds = (Date.now() - killedAt) / 1000;

    // What ffmpeg wrote while nobody was attached waited in the pipe: it arrives first.
    await waitFor(() => frames(b.progress()).length >= 5, { description: 'buffered progress', timeoutMs: 5000 });
    const buffered = frames(b.progress());
    expect(buffered[0]).toBeLessThanOrEqual(doomed.frame + FPS * 0.5); // right where the dead reader stopped
    // …and it keeps advancing, with no hole: every 0.2 s a block, from the kill until now.
    const latest = Math.max(...buffered);
    await waitFor(() => Math.max(...frames(b.progress())) >= latest + 10, { description: 'progress to advance after adoption', timeoutMs: 5000 });
    const all = frames(b.progress());
    for (let i = 1; i < all.length; i += 1) expect((all[i] ?? 0) - (all[i - 1] ?? 0)).toBeLessThanOrEqual(FPS * 0.6);
    expect(Math.max(...all)).toBeGreaterThanOrEqual(doomed.frame + Math.floor(FPS * (gapSeconds - 0.5)));
    // stderr too (a `frame=… \r` stats line per period).
    const stderrSoFar = b.stderr().length;
    await waitFor(() => b.stderr().length > stderrSoFar && b.stderr().includes('frame='), {
      description: 'stderr after adoption',
      timeoutMs: 5000,
    });

    // Stop it the way the supervisor does; the exit of a non-child is seen, status unknown.
    const stopStarted = Date.now();
    result.handle.signalGroup('SIGINT');
    const exit = await waitFor(() => b.exit(), { description: 'the adopted process exit', timeoutMs: 5000 });
    timings.push(`${name}: SIGINT → exit of the adopted process reported: ${Date.now() - stopStarted} ms`);
    expect(exit).toEqual({ code: null, signal: null, unknownExit: true });
    expect(b.progress()).toContain('progress=end');
    expect(b.stderr()).toContain(stopMessage);
    expect(processesInGroup(identity.pgid, { includeZombies: false })).toEqual([]);
    expect(existsSync(identity.paths.progressPipe)).toBe(false);
    expect(existsSync(identity.paths.dir)).toBe(false);
    expect(runner.activeRuns()).toEqual([]);
    expect(b.exitCalls()).toBe(1);
  }

  it('keeps the fake ffmpeg running when its spawner is SIGKILLed, and a new runner re-attaches to it', async () => {
    await surviveAndAdopt('fake ffmpeg', FAKE_FFMPEG, fakeArgs(), 'Exiting normally, received signal 2.');
  });

  it.skipIf(systemFfmpeg === undefined)('does the same with the real ffmpeg', async () => {
    await surviveAndAdopt('real ffmpeg', systemFfmpeg ?? 'ffmpeg', realArgs, 'Exiting normally, received signal 2.');
  });

  it('refuses a wrong boot id, start time or command line without signalling the process', async () => {
    const doomed = await spawnThroughDoomedDaemon();
    const { identity } = doomed;
    await killSpawner(doomed);
    const runner = new FifoProcessRunner({ clock: systemClock, runtimeDir: root });
    const cases: Array<[AdoptRequest, string]> = [
      [{ ...identity, bootId: randomUUID() }, 'other-boot'],
      [{ ...identity, startTicks: identity.startTicks + 1 }, 'pid-reused'],
      [{ ...identity, cmdlineHash: cmdlineHashForArgs(fakeArgs().slice(0, -1).concat('rtmp://127.0.0.1:1/live/other')) }, 'cmdline-mismatch'],
      [{ ...identity, cmdlineHash: undefined }, 'cmdline-unknown'],
      [{ ...identity, pgid: 1 }, 'invalid-entry'],
    ];
    const kill = vi.spyOn(process, 'kill');
    const recordings: Recording[] = [];
    try {
      for (const [entry, reason] of cases) {
        const r = record();
        recordings.push(r);
        expect(runner.adopt(entry, r.handlers)).toMatchObject({ adopted: false, reason });
      }
      expect(kill).not.toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
    expect(sameProcessAlive(identity)).toBe(true);
    expect(linuxProcessSystem.stat(identity.pid)?.state).not.toBe('T');
    expect(runner.activeRuns()).toEqual([]);
    for (const r of recordings) expect(r.exitCalls()).toBe(0);

    // Clean up ourselves, by pid; then the sweep removes the folder of the run that is gone.
    await killByPid(identity);
    expect(runner.sweep([]).removed).toContain(identity.paths.dir);
  });

  it('reports a process that died while nobody was attached as gone', async () => {
    const doomed = await spawnThroughDoomedDaemon();
    const { identity } = doomed;
    await killSpawner(doomed);
    await killByPid(identity);

    const runner = new FifoProcessRunner({ clock: systemClock, runtimeDir: root });
    const r = record();
    const result = runner.adopt(identity, r.handlers);
    expect(result.adopted).toBe(false);
    if (result.adopted) return;
    // Gone from /proc — or, where pid 1 is slow to reap orphans, a zombie: both mean "start anew".
    expect(['not-running', 'zombie']).toContain(result.reason);
    expect(r.exitCalls()).toBe(0);
    expect(runner.sweep([]).removed).toEqual([identity.paths.dir]);
  });
});

describe('FifoProcessRunner: spawned children', () => {
  const runner = new FifoProcessRunner({ clock: systemClock, runtimeDir: path.join(tmpdir(), `sw-reattach-spawn-${process.pid}`) });
  afterAll(() => {
    runner.sweep([]);
    rmSync(runner.runtimeDir, { recursive: true, force: true });
  });

  function start(args: readonly string[], command = FAKE_FFMPEG): Recording & { pid: number | undefined; identity: RuntimeIdentity | undefined } {
    const r = record();
    const handle = runner.spawn({ command, args, progressPipe: true, runtimeLabel: 'spawned' }, r.handlers);
    const identity = handle.describe?.();
    if (identity !== undefined) leftovers.push(identity);
    return { ...r, pid: handle.pid, identity };
  }

  it('reports a clean exit with its code after all output, and removes the run folder', async () => {
    const started = Date.now();
    const run = start(fakeArgs('-t', '0.6'));
    const identity = run.identity;
    if (identity === undefined) throw new Error('no identity');
    expect(identity.pid).toBe(run.pid);
    expect(identity.pgid).toBe(run.pid);
    // The fingerprint holds even while `#!/usr/bin/env node` is still being exec'ed.
    expect(cmdlineMatches(identity.cmdlineHash, readFileSync(`/proc/${identity.pid}/cmdline`))).toBe(true);
    expect(existsSync(identity.paths.progressPipe)).toBe(true);

    const exit = await waitFor(() => run.exit(), { description: 'the fake to exit', timeoutMs: 10_000 });
    timings.push(`spawn → clean exit (-t 0.6) reported: ${Date.now() - started} ms`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(run.progress()).toMatch(/progress=end\n$/);
    expect(run.stderr()).toContain("Output #0, flv, to 'rtmp://127.0.0.1:1/live/key'");
    expect(existsSync(identity.paths.dir)).toBe(false);
    expect(run.exitCalls()).toBe(1);
  });

  it('stops on SIGINT with ffmpeg’s exit status 255, group empty', async () => {
    const run = start(fakeArgs());
    await waitFor(() => run.progress().includes('progress=continue'), { description: 'first progress', timeoutMs: 10_000 });
    const pid = run.pid ?? 0;
    expect(runner.activeRuns().map((r) => r.pid)).toContain(pid);
    process.kill(-pid, 'SIGINT'); // what handle.signalGroup does
    const exit = await waitFor(() => run.exit(), { description: 'the fake to exit', timeoutMs: 10_000 });
    expect(exit).toEqual({ code: 255, signal: null });
    expect(processesInGroup(pid, { includeZombies: false })).toEqual([]);
    expect(runner.activeRuns()).toEqual([]);
  });

  it('reports a missing binary as a spawn error and leaves no folder behind', async () => {
    const run = start([], path.join(REPO, 'no-such-ffmpeg'));
    expect(run.pid).toBeUndefined();
    const exit = await waitFor(() => run.exit(), { description: 'the spawn error', timeoutMs: 5000 });
    expect(exit).toMatchObject({ code: null, signal: null, spawnError: { code: 'ENOENT' } });
    expect(runner.sweep([])).toEqual({ removed: [], kept: [], skipped: [] });
  });
});
