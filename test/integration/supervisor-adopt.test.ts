/**
 * Surviving a daemon restart, supervisor level: "supervisor A" (a real node process,
 * test/helpers/supervisor-a.ts) starts two fake-ffmpeg streams through a FifoProcessRunner and
 * is SIGKILLed without stopping them; supervisor B, with a new FifoProcessRunner on the same
 * runtime folder, adopts both (same pids, running, progress advancing), still detects a stall of
 * an adopted process (SIGSTOP) and replaces it, and stopAll leaves nothing in any group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FifoProcessRunner } from '../../src/adapters/process/fifo-process-runner.js';
import { linuxProcessSystem } from '../../src/adapters/process/process-system.js';
import { sweepRuntimeDir } from '../../src/adapters/process/runtime-dir.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { loadConfigText } from '../../src/config/load.js';
import type { RuntimeEntry } from '../../src/ports/store.js';
import type { RunFinished } from '../../src/events/stream-events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { processAlive, processesInGroup } from '../helpers/proc.js';
import { FAKE_CAPABILITIES, FAKE_FFMPEG } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SUPERVISOR_A = fileURLToPath(new URL('../helpers/supervisor-a.ts', import.meta.url));
const STREAMS = ['one', 'two'] as const;

const yaml = `
streams:
${STREAMS.map(
  (id) => `  - id: ${id}
    args: ${JSON.stringify(['-stats_period', '0.2', '-fake', 'normal', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}`])}
    startTimeout: 5s
    stallTimeout: 2s
    stop: { interruptGrace: 1s, terminateGrace: 1s }
`,
).join('')}`;

let root: string;
let supervisorA: ChildProcess | undefined;
let supervisorB: Supervisor | undefined;
/** Every group a process of this test led, for the final check and the cleanup. */
const groups = new Set<number>();

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sw-adopt-'));
});

afterEach(async () => {
  if (supervisorA?.pid !== undefined && supervisorA.exitCode === null && supervisorA.signalCode === null) process.kill(supervisorA.pid, 'SIGKILL');
  await supervisorB?.stopAll();
  // Last resort for a failed test: only groups this test started, and only if still populated.
  for (const pgid of groups) if (processesInGroup(pgid).length > 0) linuxProcessSystem.killGroup(pgid, 'SIGKILL');
});

afterAll(() => {
  sweepRuntimeDir(root, []);
  rmSync(root, { recursive: true, force: true });
});

/** Starts supervisor A and resolves with the registry entries once both streams run. */
async function runSupervisorA(): Promise<RuntimeEntry[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', SUPERVISOR_A, root, FAKE_FFMPEG, yaml], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  supervisorA = child;
  const entries = new Map<string, RuntimeEntry>();
  const running = new Set<string>();
  let out = '';
  let err = '';
  child.stdout?.on('data', (data: Buffer) => {
    out += data.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('ENTRY ')) {
        const entry = JSON.parse(line.slice(6)) as RuntimeEntry;
        entries.set(entry.stream, entry);
        groups.add(entry.pgid);
      } else if (line.startsWith('RUNNING ')) running.add(line.slice(8));
    }
  });
  child.stderr?.on('data', (data: Buffer) => (err += data.toString()));
  await waitFor(() => running.size === STREAMS.length && entries.size === STREAMS.length, {
    description: `supervisor A to run both streams (stderr: ${err})`,
    timeoutMs: 20_000,
  });
  return [...entries.values()];
}

describe('Supervisor.adopt with the FIFO runner', () => {
  it('adopts the streams of a lost supervisor, keeps watching them, recovers a stall, stops cleanly', async () => {
    const entries = await runSupervisorA();
    const pids = new Map(entries.map((e) => [e.stream, e.pid]));

    // Lose supervisor A without stopping anything: its ffmpegs must keep running.
    const a = supervisorA;
    if (a?.pid === undefined) throw new Error('supervisor A has no pid');
    const gone = new Promise((resolve) => a.once('exit', resolve));
    process.kill(a.pid, 'SIGKILL');
    await gone;
    for (const entry of entries) expect(processAlive(entry.pid)).toBe(true);

    const config = loadConfigText(yaml, {});
    const b = new Supervisor(config.streams, {
      clock: systemClock,
      runner: new FifoProcessRunner({ clock: systemClock, runtimeDir: root, exitPollMs: 100 }),
      ffmpeg: { path: FAKE_FFMPEG, capabilities: FAKE_CAPABILITIES },
      logger: silentLogger,
      redact: (text) => text,
      random: Math.random,
    });
    supervisorB = b;
    const finished: RunFinished[] = [];
    b.events.on('run-finished', (e) => finished.push(e));
    b.events.on('run-started', (e) => e.pid !== undefined && groups.add(e.pid));

    const report = b.adopt(entries);
    expect(report).toEqual({ adopted: [...STREAMS].sort(), refused: [], unknownStream: [] });
    b.startDesired(); // the boot order: adopt, then start what is still stopped (nothing here)
    for (const id of STREAMS) {
      expect(b.get(id).status()).toMatchObject({ state: 'running', pid: pids.get(id) });
      expect(b.get(id).status().uptimeSeconds).toBeGreaterThan(0);
    }

    // Progress keeps advancing through the reopened pipes.
    const framesNow = (id: string): number => b.get(id).status().progress?.frames ?? 0;
    await waitFor(() => STREAMS.every((id) => b.get(id).status().progress !== undefined && framesNow(id) > 0), { description: 'progress from both adopted processes' });
    const before = framesNow('one');
    await waitFor(() => framesNow('one') > before + 10, { description: 'progress of stream one to advance' });
    expect(STREAMS.map((id) => b.get(id).observed)).toEqual(['running', 'running']);

    // SIGSTOP an adopted process: a stall, killed (group), replaced by a new process.
    const stoppedPid = pids.get('one') ?? 0;
    process.kill(stoppedPid, 'SIGSTOP');
    await waitFor(() => finished.some((e) => e.streamId === 'one' && e.reason === 'stalled'), { description: 'the stall of the adopted process', timeoutMs: 10_000 });
    await waitFor(() => b.get('one').observed === 'running', { description: 'stream one to run again', timeoutMs: 10_000 });
    const newPid = b.get('one').status().pid;
    expect(newPid).toBeDefined();
    expect(newPid).not.toBe(stoppedPid);
    expect(processAlive(stoppedPid)).toBe(false);
    expect(b.get('two').status()).toMatchObject({ state: 'running', pid: pids.get('two') });

    await b.stopAll();
    supervisorB = undefined;
    for (const id of STREAMS) expect(b.get(id).observed).toBe('stopped');
    await waitFor(() => [...groups].every((pgid) => processesInGroup(pgid).length === 0), { description: 'every group to be empty', timeoutMs: 5_000 });
  });
});
