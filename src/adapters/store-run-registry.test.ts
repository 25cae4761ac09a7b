import { describe, expect, it } from 'vitest';
import type { Logger } from '../ports/logger.js';
import type { RunEndInput, RunStartInput, RuntimeEntry } from '../ports/store.js';
import type { RunOutcome, RunStartedEntry } from '../ports/run-registry.js';
import { storeRunRegistry, type RegistryStore } from './store-run-registry.js';

interface Logged {
  level: string;
  fields: unknown;
  msg: string;
}

function recordingLogger(): { logger: Logger; logged: Logged[] } {
  const logged: Logged[] = [];
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      logged.push({ level, fields, msg: msg ?? '' });
    };
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  };
  return { logger, logged };
}

const started = (stream: string, pid: number): RunStartedEntry => ({
  stream,
  runId: 7,
  specHash: `hash-${stream}`,
  startedAt: 1_000,
  identity: {
    pid,
    pgid: pid,
    startTicks: 42,
    bootId: 'boot-1',
    cmdlineHash: 'cmd',
    paths: { dir: `/run/${stream}`, progressPipe: `/run/${stream}/progress`, stderrPipe: `/run/${stream}/stderr` },
  },
});

const ended = (reason: RunOutcome['reason']): RunOutcome => ({
  endedAt: 2_000,
  reason,
  exitCode: 1,
  signal: null,
  firstLines: [],
  lastLines: [],
});

class MemoryStore implements RegistryStore {
  readonly calls: string[] = [];
  readonly runtime = new Map<string, RuntimeEntry>();
  failPut = false;
  private nextRun = 100;

  async recordRunStart(run: RunStartInput): Promise<number> {
    await Promise.resolve();
    this.calls.push(`run ${run.stream} ${run.pid ?? '-'} ${run.specHash ?? '-'}`);
    this.nextRun += 1;
    return this.nextRun;
  }

  async putRuntime(entry: RuntimeEntry): Promise<void> {
    // Yield a few turns so a later call would overtake this one if calls were not chained.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    if (this.failPut) throw new Error('disk full');
    this.calls.push(`put ${entry.stream} ${entry.pid}`);
    this.runtime.set(entry.stream, entry);
  }

  listRuntime(): Promise<RuntimeEntry[]> {
    return Promise.resolve([...this.runtime.values()]);
  }

  recordRunEnd(runId: number, end: RunEndInput): Promise<void> {
    this.calls.push(`end ${runId} ${end.reason}`);
    return Promise.resolve();
  }

  clearRuntime(stream: string, pid?: number): Promise<void> {
    this.calls.push(`clear ${stream} ${pid ?? '-'}`);
    if (pid === undefined || this.runtime.get(stream)?.pid === pid) this.runtime.delete(stream);
    return Promise.resolve();
  }
}

describe('storeRunRegistry', () => {
  it('records the run and stores the runtime entry under the store run id', async () => {
    const store = new MemoryStore();
    const { logger } = recordingLogger();
    const registry = storeRunRegistry(() => store, logger);
    registry.runStarted(started('cam', 4242));
    await registry.flush();
    expect(store.calls).toEqual(['run cam 4242 hash-cam', 'put cam 4242']);
    expect(store.runtime.get('cam')).toEqual({
      stream: 'cam',
      runId: 101,
      pid: 4242,
      pgid: 4242,
      startTicks: 42,
      bootId: 'boot-1',
      specHash: 'hash-cam',
      cmdlineHash: 'cmd',
      paths: { dir: '/run/cam', progressPipe: '/run/cam/progress', stderrPipe: '/run/cam/stderr' },
      startedAt: 1_000,
    });
  });

  it('an end never overtakes its start (per stream, in order)', async () => {
    const store = new MemoryStore();
    const registry = storeRunRegistry(() => store, recordingLogger().logger);
    registry.runStarted(started('cam', 1));
    registry.runEnded('cam', 1, ended('exited'));
    registry.runStarted(started('cam', 2));
    await registry.flush();
    expect(store.calls).toEqual(['run cam 1 hash-cam', 'put cam 1', 'clear cam 1', 'end 101 exited', 'run cam 2 hash-cam', 'put cam 2']);
    expect(store.runtime.get('cam')?.pid).toBe(2);
  });

  it('logs failures and a missing store, never throws', async () => {
    const store = new MemoryStore();
    store.failPut = true;
    const { logger, logged } = recordingLogger();
    let open: MemoryStore | undefined = store;
    const registry = storeRunRegistry(() => open, logger);
    expect(() => registry.runStarted(started('cam', 9))).not.toThrow();
    await registry.flush();
    expect(logged.some((l) => l.level === 'warn' && l.msg === 'recording a run start failed')).toBe(true);
    open = undefined;
    expect(() => registry.runEnded('cam', 9, ended('stopped'))).not.toThrow();
    await registry.flush();
    expect(logged.some((l) => l.level === 'warn' && l.msg.startsWith('the store is unavailable'))).toBe(true);
    expect(store.calls).toEqual(['run cam 9 hash-cam']);
  });
});
