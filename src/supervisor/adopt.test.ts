import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger as silent } from '../../test/fakes/silent-logger.js';
import { ffprobeCheck, spec as wdSpec, watchdogHarness } from '../../test/helpers/watchdog-harness.js';
import type { AdoptRefusalReason } from '../ports/process-runner.js';
import type { RuntimeEntry } from '../ports/store.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { RunRegistry, RunStartedEntry } from '../ports/run-registry.js';
import { specHash } from './spec-hash.js';
import type { RunFinished } from '../events/stream-events.js';
import { StreamSupervisor } from './stream-supervisor.js';
import { Supervisor } from './supervisor.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';

const spec: StreamSpec = testStreamSpec('cam', {
  name: 'Camera',
  source: { kind: 'args', args: ['-i', 'in.mp4', '-f', 'flv', 'rtmp://127.0.0.1/live/key'] },
  onUnhealthy: ['restart'],
});

class RecordingRegistry implements RunRegistry {
  readonly started: RunStartedEntry[] = [];
  readonly ended: Array<{ stream: string; pid: number | undefined }> = [];
  runStarted(entry: RunStartedEntry): void {
    this.started.push(entry);
  }
  runEnded(stream: string, pid: number | undefined): void {
    this.ended.push({ stream, pid });
  }
}

let clock: FakeClock;
let runner: FakeProcessRunner;
let registry: RecordingRegistry;
let finished: RunFinished[];

const deps = () => ({
  clock,
  runner,
  ffmpeg: { path: '/usr/bin/ffmpeg', capabilities: { version: '5.1', options: new Set(['stats_period']) } },
  logger: silent,
  redact: (text: string) => text,
  random: () => 0.5,
  registry,
});

function makeStream(s: StreamSpec = spec): StreamSupervisor {
  const stream = new StreamSupervisor(s, deps());
  stream.events.on('run-finished', (e) => finished.push(e));
  return stream;
}

function entryFor(s: StreamSpec = spec, overrides: Partial<RuntimeEntry> = {}): RuntimeEntry {
  return {
    stream: s.id,
    runId: 7,
    pid: 4242,
    pgid: 4242,
    startTicks: 123,
    bootId: 'boot',
    specHash: specHash(s),
    cmdlineHash: 'hash',
    paths: { dir: '/run/sw/cam', progressPipe: '/run/sw/cam/progress', stderrPipe: '/run/sw/cam/stderr' },
    startedAt: clock.now() - 3_600_000,
    ...overrides,
  };
}

beforeEach(() => {
  clock = new FakeClock();
  runner = new FakeProcessRunner();
  registry = new RecordingRegistry();
  finished = [];
});

describe('StreamSupervisor.adopt', () => {
  it('adopts a stored process: running without a spawn, uptime from its start, run id continued', () => {
    const stream = makeStream();
    const outcome = stream.adopt(entryFor());
    expect(outcome).toEqual({ adopted: true, pid: 4242, then: 'keep' });
    expect(runner.spawned).toHaveLength(0);
    expect(runner.adoptRequests[0]).toMatchObject({ pid: 4242, pgid: 4242, startTicks: 123, bootId: 'boot' });
    expect(stream.status()).toMatchObject({ state: 'running', desired: 'running', pid: 4242, uptimeSeconds: 3600 });
    expect(stream.runs()[0]).toMatchObject({ runId: 7, pid: 4242 });
  });

  it('keeps running on progress, dropping a partial first block', () => {
    const stream = makeStream();
    stream.adopt(entryFor());
    const proc = runner.adopted[0]!;
    // the pipe delivers the middle of a block first: no counters may be taken from it
    proc.rawProgress('_us=99999999\nspeed=1x\nprogress=continue\nframe=1');
    expect(stream.status().progress).toMatchObject({ blocks: 0 });
    expect(stream.status().progress?.outTimeSeconds).toBeUndefined();
    proc.rawProgress('0\ntotal_size=1000\nout_time_us=400000\nprogress=continue\n');
    expect(stream.status().progress).toMatchObject({ blocks: 1, frames: 10, outTimeSeconds: 0.4 });
    for (let i = 0; i < 30; i++) {
      clock.advance(1_000);
      proc.progress();
    }
    expect(stream.observed).toBe('running');
    expect(proc.signals).toEqual([]);
    expect(runner.spawned).toHaveLength(0);
  });

  it('a stall after adopt sends SIGKILL to the group and spawns a new process', () => {
    const stream = makeStream();
    stream.adopt(entryFor());
    const proc = runner.adopted[0]!;
    clock.advance(10_000);
    expect(proc.signals).toEqual(['SIGKILL']);
    expect(stream.observed).toBe('stopping');
    proc.exit({ code: null, signal: null, unknownExit: true });
    expect(runner.spawned).toHaveLength(1);
    expect(stream.observed).toBe('starting');
    expect(finished[0]).toMatchObject({ runId: 7, pid: 4242, reason: 'stalled' });
    expect(stream.status().pid).toBe(1000);
    expect(stream.runs()[0]?.runId).toBe(8);
  });

  it('an adopted process ending by itself is an exit of unknown cause; the restart policy acts', () => {
    const stream = makeStream();
    stream.adopt(entryFor());
    runner.adopted[0]!.exit({ code: null, signal: null, unknownExit: true });
    expect(finished[0]).toMatchObject({ reason: 'exited', exitCode: null, signal: null, next: 'starting' });
    expect(runner.spawned).toHaveLength(1);
  });

  it('a changed spec: adopt, then restart it', () => {
    const stream = makeStream();
    const outcome = stream.adopt(entryFor(spec, { specHash: 'older-spec' }));
    expect(outcome).toMatchObject({ adopted: true, then: 'restart' });
    const proc = runner.adopted[0]!;
    expect(proc.signals).toEqual(['SIGINT']);
    proc.exit({ code: null, signal: null, unknownExit: true });
    expect(finished[0]).toMatchObject({ reason: 'restarted' });
    expect(runner.spawned).toHaveLength(1);
    expect(stream.observed).toBe('starting');
  });

  it('desired stopped: adopt, then stop it (a clean stop)', async () => {
    const stream = makeStream({ ...spec, desired: 'stopped' });
    const outcome = stream.adopt(entryFor({ ...spec, desired: 'stopped' }));
    expect(outcome).toMatchObject({ adopted: true, then: 'stop' });
    const proc = runner.adopted[0]!;
    expect(proc.signals).toEqual(['SIGINT']);
    proc.exit({ code: null, signal: null, unknownExit: true });
    await stream.whenStopped();
    expect(stream.status()).toMatchObject({ state: 'stopped', desired: 'stopped' });
    expect(finished[0]).toMatchObject({ reason: 'stopped', next: 'stopped' });
    expect(runner.spawned).toHaveLength(0);
    expect(registry.ended).toEqual([{ stream: 'cam', pid: 4242 }]);
  });

  it.each<AdoptRefusalReason>(['other-boot', 'not-running', 'pid-reused', 'zombie'])('refused (%s): a lost run, the stream stays stopped', (reason) => {
    runner.adoptVerdict = () => ({ adopted: false, reason });
    const stream = makeStream();
    expect(stream.adopt(entryFor())).toMatchObject({ adopted: false, reason, lost: true });
    expect(registry.ended).toEqual([{ stream: 'cam', pid: 4242 }]);
    expect(stream.observed).toBe('stopped');
    stream.start();
    expect(runner.spawned).toHaveLength(1);
    expect(stream.runs()[0]?.runId).toBe(8);
  });

  it.each<AdoptRefusalReason>(['cmdline-mismatch', 'group-mismatch', 'cmdline-unknown', 'invalid-entry'])('refused (%s): left alone, never signalled, not recorded lost', (reason) => {
    runner.adoptVerdict = () => ({ adopted: false, reason });
    const stream = makeStream();
    expect(stream.adopt(entryFor())).toMatchObject({ adopted: false, reason, lost: false });
    expect(registry.ended).toEqual([]);
    expect(runner.adopted).toHaveLength(0);
    expect(stream.observed).toBe('stopped');
  });

  it('refuses while not stopped, without asking the runner', () => {
    const stream = makeStream();
    stream.start();
    expect(stream.adopt(entryFor())).toMatchObject({ adopted: false, reason: 'not-stopped', lost: false });
    expect(runner.adoptRequests).toHaveLength(0);
  });
});

describe('run registry', () => {
  it('is told of a spawn (identity, spec hash) and of the end once the exit is judged', () => {
    runner.describeRuns = true;
    const stream = makeStream();
    stream.start();
    expect(registry.started).toHaveLength(1);
    expect(registry.started[0]).toMatchObject({ stream: 'cam', runId: 1, identity: { pid: 1000, pgid: 1000 }, specHash: specHash(spec), startedAt: clock.now() });
    runner.last.exit({ code: 1, signal: null });
    expect(registry.ended).toEqual([{ stream: 'cam', pid: 1000 }]);
    expect(registry.started.map((e) => e.identity.pid)).toEqual([1000, 1001]);
  });

  it('is not told of runs whose handle cannot describe itself', () => {
    const stream = makeStream();
    stream.start();
    runner.last.exit({ code: 1, signal: null });
    expect(registry.started).toEqual([]);
    expect(registry.ended).toEqual([]);
  });

  it('a throwing registry does not disturb supervision', () => {
    runner.describeRuns = true;
    const stream = new StreamSupervisor(spec, {
      ...deps(),
      registry: {
        runStarted: () => {
          throw new Error('disk full');
        },
        runEnded: () => {
          throw new Error('disk full');
        },
      },
    });
    stream.start();
    expect(stream.observed).toBe('starting');
    runner.last.progress();
    expect(stream.observed).toBe('running');
  });

  it('specHash ignores the desired state but not the rest of the spec', () => {
    expect(specHash({ ...spec, desired: 'stopped' })).toBe(specHash(spec));
    expect(specHash({ ...spec, stallTimeoutMs: 5_000 })).not.toBe(specHash(spec));
  });
});

describe('Supervisor.adopt', () => {
  it('adopts known streams, reports refusals and unknown streams, and startDesired then starts the rest', () => {
    const other: StreamSpec = { ...spec, id: 'other', name: 'Other' };
    const gone: StreamSpec = { ...spec, id: 'gone', name: 'Gone' };
    const supervisor = new Supervisor([spec, other, gone], deps());
    runner.adoptVerdict = (request) => (request.pid === 5 ? { adopted: false, reason: 'not-running' } : { adopted: true });
    const report = supervisor.adopt([
      entryFor(spec),
      entryFor(spec, { pid: 4243 }),
      entryFor(gone, { pid: 5 }),
      entryFor({ ...spec, id: 'removed' }, { pid: 6 }),
    ]);
    expect(report.adopted).toEqual(['cam']);
    expect(report.refused).toEqual([
      expect.objectContaining({ stream: 'cam', reason: 'not-stopped', lost: false }),
      expect.objectContaining({ stream: 'gone', reason: 'not-running', lost: true }),
    ]);
    expect(report.unknownStream).toEqual(['removed']);
    supervisor.startDesired();
    expect(runner.spawned).toHaveLength(2);
    expect(supervisor.get('cam').status().pid).toBe(4242);
    expect(runner.adopted[0]!.signals).toEqual([]);
  });
});

describe('adoption with the watchdog attached', () => {
  it('the watchdog judges an adopted stream healthy, and a stall of it is still recovered', async () => {
    const s = wdSpec('cam', { stallTimeoutMs: 5_000, checks: [ffprobeCheck('out', 'cam')] });
    const x = watchdogHarness([s], { start: false });
    try {
      const report = x.supervisor.adopt([{ ...entryFor(s), startedAt: x.clock.now() - 60_000 }]);
      expect(report.adopted).toEqual(['cam']);
      x.supervisor.startDesired();
      x.watchdog.start();
      await x.run(10_000);
      const stream = x.supervisor.get('cam');
      expect(stream.status()).toMatchObject({ state: 'running', pid: 4242, health: 'healthy' });
      expect(x.runner.spawned).toHaveLength(0);
      x.freeze('cam');
      await x.run(6_000);
      x.thaw('cam');
      expect(x.runner.adopted[0]!.signals).toContain('SIGKILL');
      await x.run(3_000);
      expect(stream.status().state).toBe('running');
      expect(stream.status().pid).toBe(1000);
    } finally {
      await x.close();
    }
  });
});
