/**
 * The FIFO runner's adopt path against a fake /proc + kill(2) and a fake clock: validation,
 * exit polling, re-validation before signals, group reaping. No real process is touched; the
 * real-process cases are in test/integration/reattach-runner.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import type { ProcStat } from '../probes/proc.js';
import type { AdoptRequest, GroupSignal, ProcessExit, ProcessHandlers } from '../../ports/process-runner.js';
import { cmdlineHashForArgs } from './adoption-check.js';
import { FifoProcessRunner } from './fifo-process-runner.js';
import type { ProcessSystem } from './process-system.js';
import { createRunDir, mkfifoCommand } from './runtime-dir.js';

const BOOT = '5f0c2b7a-1111-4222-8333-444455556666';
const ARGS = ['-progress', 'pipe:3', '-i', 'in', 'rtmp://127.0.0.1/live/key'];

interface FakeProc {
  stat: ProcStat;
  cmdline: Buffer;
}

function procStat(pid: number, overrides: Partial<ProcStat> = {}): ProcStat {
  return { pid, comm: 'ffmpeg', state: 'S', ppid: 1, pgrp: pid, cpuTicks: 0, numThreads: 1, startTimeTicks: 1000, rssPages: 1, ...overrides };
}

class FakeSystem implements ProcessSystem {
  boot = BOOT;
  readonly procs = new Map<number, FakeProc>();
  readonly kills: Array<[number, GroupSignal]> = [];
  /** Runs after each cmdline read (to change the world between the reads of one adopt). */
  afterCmdline: () => void = () => undefined;

  add(stat: ProcStat, argv: readonly string[] = ['ffmpeg', ...ARGS]): void {
    this.procs.set(stat.pid, { stat, cmdline: Buffer.from(argv.map((a) => `${a}\0`).join('')) });
  }
  bootId(): string {
    return this.boot;
  }
  stat(pid: number): ProcStat | undefined {
    return this.procs.get(pid)?.stat;
  }
  cmdline(pid: number): Buffer | undefined {
    const result = this.procs.get(pid)?.cmdline;
    this.afterCmdline();
    return result;
  }
  groupMembers(pgid: number): ProcStat[] {
    return [...this.procs.values()].map((p) => p.stat).filter((s) => s.pgrp === pgid);
  }
  killGroup(pgid: number, signal: GroupSignal): boolean {
    this.kills.push([pgid, signal]);
    return true;
  }
}

interface Recorder extends ProcessHandlers {
  exits: ProcessExit[];
  exited: Promise<ProcessExit>;
}

function recorder(): Recorder {
  const exits: ProcessExit[] = [];
  let resolve: (exit: ProcessExit) => void = () => undefined;
  const exited = new Promise<ProcessExit>((r) => {
    resolve = r;
  });
  return {
    exits,
    exited,
    onProgress: () => undefined,
    onStderr: () => undefined,
    onExit: (exit) => {
      exits.push(exit);
      resolve(exit);
    },
  };
}

let root: string;
let system: FakeSystem;
let clock: FakeClock;
let runner: FifoProcessRunner;

function entry(overrides: Partial<AdoptRequest> = {}): AdoptRequest {
  const dir = path.join(root, 'run-a-XXXXXX');
  return {
    pid: 4242,
    pgid: 4242,
    startTicks: 1000,
    bootId: BOOT,
    cmdlineHash: cmdlineHashForArgs(ARGS),
    paths: { dir, progressPipe: path.join(dir, 'progress'), stderrPipe: path.join(dir, 'stderr') },
    ...overrides,
  };
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sw-fifo-unit-'));
  system = new FakeSystem();
  system.add(procStat(4242));
  clock = new FakeClock();
  runner = new FifoProcessRunner({ runtimeDir: root, system, clock, exitPollMs: 250, drainGraceMs: 100 });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('FifoProcessRunner.adopt: validation', () => {
  it('adopts our live process; output pipes that are gone are reported, not fatal', () => {
    const result = runner.adopt(entry(), recorder());
    expect(result).toMatchObject({ adopted: true, missingPipes: ['progress', 'stderr'] });
    if (!result.adopted) return;
    expect(result.handle.pid).toBe(4242);
    expect(result.handle.describe?.()).toMatchObject({ pid: 4242, pgid: 4242, startTicks: 1000, bootId: BOOT });
    expect(system.kills).toEqual([]);
    expect(runner.activeRuns()).toHaveLength(1);
  });

  it.each([
    ['a reboot', { bootId: '00000000-0000-4000-8000-000000000000' }, 'other-boot'],
    ['a reused pid', { startTicks: 999 }, 'pid-reused'],
    ['a foreign command line', { cmdlineHash: cmdlineHashForArgs(['-i', 'other']) }, 'cmdline-mismatch'],
    ['a missing fingerprint', { cmdlineHash: undefined }, 'cmdline-unknown'],
    ['a pid that does not exist', { pid: 5555, pgid: 5555 }, 'not-running'],
    ['pgid 1', { pgid: 1 }, 'invalid-entry'],
  ] as const)('refuses %s and signals nothing', (_name, overrides, reason) => {
    const handlers = recorder();
    const result = runner.adopt(entry(overrides), handlers);
    expect(result).toMatchObject({ adopted: false, reason });
    expect(system.kills).toEqual([]);
    expect(runner.activeRuns()).toEqual([]);
    clock.advance(10_000);
    expect(handlers.exits).toEqual([]);
    expect(clock.armed).toBe(0);
  });

  it('refuses a zombie', () => {
    system.add(procStat(4242, { state: 'Z' }));
    expect(runner.adopt(entry(), recorder())).toMatchObject({ adopted: false, reason: 'zombie' });
    expect(system.kills).toEqual([]);
  });

  it('refuses when the pid was reused between reading its stat and its command line', () => {
    system.afterCmdline = () => system.add(procStat(4242, { startTimeTicks: 2000 }));
    expect(runner.adopt(entry(), recorder())).toMatchObject({ adopted: false, reason: 'pid-reused' });
    expect(system.kills).toEqual([]);
  });

  it('refuses to attach the same run twice', () => {
    expect(runner.adopt(entry(), recorder()).adopted).toBe(true);
    expect(runner.adopt(entry(), recorder())).toMatchObject({ adopted: false, reason: 'invalid-entry' });
  });
});

describe('FifoProcessRunner.adopt: exit detection', () => {
  it.each([
    ['vanishes', (): void => void system.procs.delete(4242)],
    ['becomes a zombie', (): void => system.add(procStat(4242, { state: 'Z' }))],
    ['is replaced by another process with its pid', (): void => system.add(procStat(4242, { startTimeTicks: 5000 }))],
  ])('reports an unknown exit once when the process %s, at the next poll', (_name, end) => {
    const handlers = recorder();
    expect(runner.adopt(entry(), handlers).adopted).toBe(true);
    clock.advance(1000);
    expect(handlers.exits).toEqual([]);
    end();
    clock.advance(249);
    expect(handlers.exits).toEqual([]);
    clock.advance(1);
    expect(handlers.exits).toEqual([{ code: null, signal: null, unknownExit: true }]);
    clock.advance(10_000);
    expect(handlers.exits).toHaveLength(1);
    expect(clock.armed).toBe(0);
    expect(runner.activeRuns()).toEqual([]);
  });

  it('SIGKILLs what the leader left in its group (members started after it)', () => {
    system.add(procStat(4300, { pgrp: 4242, startTimeTicks: 1500 }));
    expect(runner.adopt(entry(), recorder()).adopted).toBe(true);
    system.procs.delete(4242);
    clock.advance(250);
    expect(system.kills).toEqual([[4242, 'SIGKILL']]);
  });

  it('leaves a group alone whose number a stranger now leads, or that holds older processes', () => {
    system.add(procStat(4300, { pgrp: 4242, startTimeTicks: 1500 }));
    expect(runner.adopt(entry(), recorder()).adopted).toBe(true);
    system.add(procStat(4242, { startTimeTicks: 9000 })); // pid (and group number) reused
    clock.advance(250);
    expect(system.kills).toEqual([]);

    const second = new FifoProcessRunner({ runtimeDir: root, system, clock });
    system.add(procStat(4242));
    system.add(procStat(4300, { pgrp: 4242, startTimeTicks: 10 })); // older than our leader
    expect(second.adopt(entry(), recorder()).adopted).toBe(true);
    system.procs.delete(4242);
    clock.advance(250);
    expect(system.kills).toEqual([]);
  });
});

describe('FifoProcessRunner.adopt: signalGroup re-validates', () => {
  it('signals the group while the process is still ours', () => {
    const result = runner.adopt(entry(), recorder());
    if (!result.adopted) throw new Error('not adopted');
    result.handle.signalGroup('SIGINT');
    result.handle.signalGroup('SIGKILL');
    expect(system.kills).toEqual([
      [4242, 'SIGINT'],
      [4242, 'SIGKILL'],
    ]);
  });

  it('never signals a pid reused since the last poll, and reports the exit instead', () => {
    const handlers = recorder();
    const result = runner.adopt(entry(), handlers);
    if (!result.adopted) throw new Error('not adopted');
    system.add(procStat(4242, { startTimeTicks: 7777 }));
    result.handle.signalGroup('SIGTERM');
    expect(system.kills).toEqual([]);
    expect(handlers.exits).toEqual([{ code: null, signal: null, unknownExit: true }]);
    result.handle.signalGroup('SIGKILL');
    expect(system.kills).toEqual([]);
  });

  it('does not signal a process that left our process group', () => {
    const result = runner.adopt(entry(), recorder());
    if (!result.adopted) throw new Error('not adopted');
    system.add(procStat(4242, { pgrp: 9999 }));
    result.handle.signalGroup('SIGINT');
    expect(system.kills).toEqual([]);
  });
});

describe('FifoProcessRunner: run folders', () => {
  it('removes an adopted run folder and its FIFOs once the process is gone', async () => {
    const paths = createRunDir(root, 'a', mkfifoCommand);
    const handlers = recorder();
    const result = runner.adopt(entry({ paths }), handlers);
    expect(result).toMatchObject({ adopted: true, missingPipes: [] });
    expect(runner.sweep([]).kept).toEqual([paths.dir]);

    system.procs.delete(4242);
    clock.advance(250); // seen gone; the readers get `drainGraceMs` to finish
    expect(handlers.exits).toEqual([]);
    clock.advance(100); // readers closed now; the close is reported on a later turn
    await expect(handlers.exited).resolves.toEqual({ code: null, signal: null, unknownExit: true });
    expect(runner.sweep([])).toEqual({ removed: [], kept: [], skipped: [] });
  });

  it('reports a runtime folder it cannot use as a spawn error, without throwing', async () => {
    const broken = new FifoProcessRunner({ clock: new FakeClock(),
      runtimeDir: root,
      makeFifos: () => {
        throw new Error('mkfifo: not supported');
      },
    });
    const handlers = recorder();
    const handle = broken.spawn({ command: 'ffmpeg', args: [], progressPipe: true }, handlers);
    expect(handle.pid).toBeUndefined();
    expect(handle.describe?.()).toBeUndefined();
    await expect(handlers.exited).resolves.toMatchObject({ code: null, signal: null, spawnError: { code: 'ERUNTIMEDIR' } });
    expect(broken.sweep([])).toEqual({ removed: [], kept: [], skipped: [] });
  });
});
