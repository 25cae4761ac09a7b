import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import { silentLogger as silent } from '../../test/fakes/silent-logger.js';
import type { RunFinished, StateChanged } from '../events/stream-events.js';
import { StreamSupervisor } from './stream-supervisor.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';

const spec: StreamSpec = testStreamSpec('cam', {
  name: 'Camera',
  source: { kind: 'args', args: ['-i', 'in.mp4', '-f', 'flv', 'rtmp://127.0.0.1/live/secretkey'] },
  onUnhealthy: ['restart'],
});

let clock: FakeClock;
let runner: FakeProcessRunner;
let stream: StreamSupervisor;
let states: StateChanged[];
let finished: RunFinished[];

beforeEach(() => {
  clock = new FakeClock();
  runner = new FakeProcessRunner();
  stream = new StreamSupervisor(spec, {
    clock,
    runner,
    ffmpeg: { path: '/usr/bin/ffmpeg', capabilities: { version: '5.1', options: new Set(['stats_period']) } },
    logger: silent,
    redact: (text) => text.replaceAll('secretkey', '***'),
    random: () => 0.5,
  });
  states = [];
  finished = [];
  stream.events.on('state', (e) => states.push(e));
  stream.events.on('run-finished', (e) => finished.push(e));
});

/** Progress once a second for `seconds` seconds. */
function runFor(seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1_000);
    runner.last.progress();
  }
}

describe('StreamSupervisor', () => {
  it('spawns ffmpeg with the progress pipe and becomes running on the first advancing progress', () => {
    stream.start();
    expect(stream.observed).toBe('starting');
    expect(runner.last.request).toMatchObject({ command: '/usr/bin/ffmpeg', progressPipe: true });
    expect(runner.last.request.args.slice(0, 7)).toEqual(['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:3', '-stats_period', '1']);
    runFor(3);
    expect(stream.observed).toBe('running');
    const status = stream.status();
    expect(status).toMatchObject({ state: 'running', desired: 'running', pid: 1000, restarts: 0 });
    expect(status.progress?.fps).toBeCloseTo(25);
    expect(status.progress?.speed).toBeCloseTo(1);
    expect(status.uptimeSeconds).toBe(2);
  });

  it('restarts a crashed process at once, then backs off 1 s, counting restarts by reason', () => {
    stream.start();
    runFor(2);
    runner.last.stderr('[rtmp @ 0x1] Connection to rtmp://127.0.0.1/live/secretkey failed: Connection refused\n');
    runner.last.exit({ code: 1, signal: null });
    expect(runner.spawned).toHaveLength(2);
    expect(stream.observed).toBe('starting');
    expect(finished[0]).toMatchObject({ reason: 'exited', exitCode: 1, next: 'starting', restartDelayMs: 0 });
    expect(finished[0]?.lastError).toContain('Connection refused');
    expect(finished[0]?.lastError).not.toContain('secretkey');

    runner.last.exit({ code: 1, signal: null });
    expect(stream.observed).toBe('backoff');
    clock.advance(999);
    expect(runner.spawned).toHaveLength(2);
    clock.advance(1);
    expect(runner.spawned).toHaveLength(3);
    expect(stream.restartsFor('exited')).toBe(1);
    expect(stream.restartsFor('failed-to-start')).toBe(1);
    expect(stream.status().restarts).toBe(2);
  });

  it('kills a stalled process group with SIGKILL after 10 s without advancing progress and starts a new one', () => {
    stream.start();
    runFor(5);
    const stalled = runner.last;
    // Blocks keep coming but the counters are frozen: that is a stall too.
    for (let i = 0; i < 9; i++) {
      clock.advance(1_000);
      stalled.progress(0);
    }
    expect(stalled.signals).toEqual([]);
    clock.advance(1_000);
    expect(stalled.signals).toEqual(['SIGKILL']);
    stalled.exit({ code: null, signal: 'SIGKILL' });
    expect(finished.at(-1)).toMatchObject({ reason: 'stalled', next: 'starting' });
    expect(runner.spawned).toHaveLength(2);
  });

  it('steady progress moves the stall deadline without piling up timers', () => {
    stream.start();
    runFor(120);
    expect(clock.armed).toBe(1);
    const proc = runner.last;
    clock.advance(9_999);
    expect(proc.signals).toEqual([]);
    clock.advance(1);
    expect(proc.signals).toEqual(['SIGKILL']);
  });

  it('kills a run that shows no progress within the start timeout', () => {
    stream.start();
    clock.advance(29_999);
    expect(runner.last.signals).toEqual([]);
    clock.advance(1);
    expect(runner.last.signals).toEqual(['SIGKILL']);
    runner.last.exit({ code: null, signal: 'SIGKILL' });
    expect(finished.at(-1)?.reason).toBe('start-timeout');
  });

  it('stops with SIGINT, then SIGTERM after 5 s, then SIGKILL after 5 s more, and resolves once exited', async () => {
    stream.start();
    runFor(2);
    const proc = runner.last;
    let resolved = false;
    const stopped = stream.stop().then(() => {
      resolved = true;
    });
    expect(proc.signals).toEqual(['SIGINT']);
    clock.advance(5_000);
    expect(proc.signals).toEqual(['SIGINT', 'SIGTERM']);
    clock.advance(5_000);
    expect(proc.signals).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    await Promise.resolve();
    expect(resolved).toBe(false);
    proc.exit({ code: null, signal: 'SIGKILL' });
    await stopped;
    expect(stream.observed).toBe('stopped');
    expect(stream.desired).toBe('stopped');
    expect(finished.at(-1)).toMatchObject({ reason: 'stopped', next: 'stopped' });
    expect(clock.armed).toBe(0);
    expect(runner.spawned).toHaveLength(1);
  });

  it('ignores events from a run that has already been replaced', () => {
    stream.start();
    runFor(2);
    const old = runner.last;
    stream.restart();
    old.exit({ code: 255, signal: null });
    const current = runner.last;
    expect(current).not.toBe(old);
    old.progress();
    expect(stream.observed).toBe('starting');
    expect(() => old.stderr('late line\n')).not.toThrow();
    current.progress();
    expect(stream.observed).toBe('running');
    expect(finished.at(-1)).toMatchObject({ reason: 'restarted' });
    expect(stream.status().restarts).toBe(1);
  });

  it('a binary that cannot be spawned backs off and ends in crashloop, retrying at the cap', async () => {
    runner.failSpawns = true;
    stream.start();
    for (let i = 0; i < 8; i++) {
      await Promise.resolve(); // the spawn failure is reported asynchronously, as node does
      clock.advance(finished.at(-1)?.restartDelayMs ?? 0);
    }
    expect(finished.map((f) => f.reason)).toEqual(Array(8).fill('failed-to-start'));
    // The default budget: 5 automatic restarts, then the 6th failure is a crash loop.
    expect(finished.map((f) => f.restartDelayMs)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
    expect(finished.map((f) => f.next)).toEqual(['starting', 'backoff', 'backoff', 'backoff', 'backoff', 'crashloop', 'crashloop', 'crashloop']);
    expect(runner.spawned).toHaveLength(9);
    expect(stream.status().lastError).toContain('ENOENT');
    expect(states.filter((s) => s.to === 'crashloop').length).toBeGreaterThan(0);
    expect(stream.desired).toBe('running');
  });

  it('keeps working when an event listener throws', () => {
    stream.events.on('state', () => {
      throw new Error('listener bug');
    });
    stream.start();
    runFor(1);
    expect(stream.observed).toBe('running');
  });

  it('keeps the last runs with their first and last stderr lines, redacted', () => {
    stream.start();
    runner.last.stderr('ffmpeg version 5.1\nOutput #0, flv, to \'rtmp://127.0.0.1/live/secretkey\':\n');
    runFor(1);
    runner.last.exit({ code: 0, signal: null });
    const [current, previous] = stream.runs();
    expect(current?.endedAt).toBeUndefined();
    expect(previous).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(previous?.firstLines.join('\n')).toContain('ffmpeg version 5.1');
    expect(JSON.stringify(previous)).not.toContain('secretkey');
  });

  it('emits a health event when the derived health changes, and keeps recovery statistics', () => {
    const health: string[] = [];
    stream.events.on('health', (e) => health.push(`${e.from}→${e.to}@${e.state}`));
    expect(stream.recoveryStats()).toEqual({ consecutiveUnhealthy: 0, lastHealthyAt: undefined, lastRecoveryAt: undefined, recoveries: 0 });
    stream.start();
    runFor(2);
    expect(stream.recoveryStats()).toMatchObject({ lastHealthyAt: clock.now(), recoveries: 0 });
    const healthyUntil = clock.now();
    runner.last.exit({ code: 1, signal: null }); // immediate restart: starting
    runner.last.exit({ code: 1, signal: null }); // backoff
    expect(stream.recoveryStats()).toEqual({ consecutiveUnhealthy: 2, lastHealthyAt: healthyUntil, lastRecoveryAt: healthyUntil, recoveries: 2 });
    expect(finished.map((f) => f.countsAsRestart)).toEqual([true, true]);
    clock.advance(1_200);
    runFor(1);
    expect(stream.recoveryStats()).toMatchObject({ consecutiveUnhealthy: 0, lastHealthyAt: clock.now(), recoveries: 2 });
    stream.restart();
    runner.last.exit({ code: 255, signal: null });
    expect(finished.at(-1)?.countsAsRestart).toBe(false);
    expect(stream.recoveryStats().recoveries).toBe(2);
    expect(health).toEqual([
      'unknown→healthy@running',
      'healthy→unknown@starting',
      'unknown→unhealthy@backoff',
      'unhealthy→unknown@starting',
      'unknown→healthy@running',
      'healthy→unknown@stopping',
    ]);
  });

  it('takes its health from a health source while one is attached, and gives it back to the lifecycle', () => {
    const health: string[] = [];
    stream.events.on('health', (e) => health.push(`${e.from}→${e.to}: ${e.reason}`));
    stream.start();
    runFor(1);
    let verdict = { health: 'degraded' as const, reason: 'degraded: bitrate low' };
    stream.setHealthSource((observed) => (observed === 'running' ? verdict : { health: 'unknown', reason: `process is ${observed}` }));
    expect(stream.status()).toMatchObject({ health: 'degraded', healthReason: 'degraded: bitrate low' });
    stream.refreshHealth(); // unchanged: no event
    verdict = { health: 'degraded', reason: 'degraded: still low' };
    stream.setHealthSource(() => {
      throw new Error('a bug in the source');
    });
    expect(stream.health).toBe('healthy'); // a failing source falls back to the lifecycle's verdict
    stream.setHealthSource(undefined);
    expect(health).toEqual(['unknown→healthy: running; progress advancing', 'healthy→degraded: degraded: bitrate low', 'degraded→healthy: running; progress advancing']);
  });

  it('switchInput restarts a pipeline on another of its inputs, outside the restart budget', () => {
    const pipeline = new StreamSupervisor(
      { ...spec, source: { kind: 'pipeline', inputs: [{ url: 'rtmp://127.0.0.1/src/a', options: [] }, { url: 'lavfi:testsrc2', options: [] }], output: 'out.flv', encode: [] } },
      { clock, runner, ffmpeg: { path: 'ffmpeg', capabilities: { version: '5.1', options: new Set() } }, logger: silent, redact: (t) => t, random: () => 0.5 },
    );
    pipeline.switchInput(1); // stopped: the next start uses it
    expect(runner.spawned).toHaveLength(0);
    pipeline.start();
    expect(runner.last.request.args).toContain('testsrc2');
    runFor(1);
    pipeline.switchInput(0);
    expect(runner.last.signals).toEqual(['SIGINT']);
    runner.last.exit({ code: 255, signal: null });
    expect(runner.last.request.args).toContain('rtmp://127.0.0.1/src/a');
    expect(pipeline.status()).toMatchObject({ activeInput: 0, restarts: 1 });
    expect(pipeline.recentRestarts()).toEqual([]); // an intentional restart, not a failure
    expect(() => pipeline.switchInput(2)).toThrow(/out of range/);
    expect(() => stream.switchInput(1)).toThrow(/uses args/);
  });

  it('counts a restart the watchdog asked for as watchdog, one asked for by someone as restarted', () => {
    stream.start();
    runFor(2);
    stream.restart('watchdog');
    runner.last.exit({ code: 255, signal: null });
    clock.advance(finished.at(-1)?.restartDelayMs ?? 0); // counted: it backs off like a crash
    runFor(2);
    stream.restart();
    runner.last.exit({ code: 255, signal: null });
    runFor(2);
    expect(finished.map((f) => f.reason)).toEqual(['restarted', 'restarted']);
    expect(stream.restartsFor('watchdog')).toBe(1);
    expect(stream.restartsFor('restarted')).toBe(1);
    // A watchdog restart of a stream waiting in backoff ends no run: nothing is left marked.
    // (The counted restart above was a failure too: this crash already backs off.)
    runner.last.exit({ code: 1, signal: null });
    expect(stream.observed).toBe('backoff');
    stream.restart('watchdog');
    runFor(2);
    stream.restart();
    runner.last.exit({ code: 255, signal: null });
    expect(stream.restartsFor('watchdog')).toBe(1);
    expect(stream.restartsFor('restarted')).toBe(2);
  });

  it('with crash-loop retries delegated, arms its own retry at twice the delay, as a backstop', () => {
    runner.failSpawns = false;
    stream.delegateCrashloopRetries(true);
    stream.start();
    for (let i = 0; i < 6; i++) {
      runner.last.exit({ code: 1, signal: null });
      if (i < 5) clock.advance(finished.at(-1)?.restartDelayMs ?? 0);
    }
    expect(stream.observed).toBe('crashloop');
    expect(finished.at(-1)?.restartDelayMs).toBe(60_000);
    expect(stream.recentRestarts()).toHaveLength(5);
    const spawned = runner.spawned.length;
    clock.advance(60_000);
    expect(runner.spawned).toHaveLength(spawned); // the watchdog's turn
    clock.advance(60_000);
    expect(runner.spawned).toHaveLength(spawned + 1);
  });

  it("restart('watchdog') is counted: it spends the restart budget and ends in crashloop once spent", () => {
    runner.failSpawns = false;
    stream.start();
    runFor(1);
    const before = finished.length;
    for (let i = 0; i < 6; i++) {
      stream.restart('watchdog');
      expect(runner.last.signals).toEqual(['SIGINT']);
      runner.last.exit({ code: 255, signal: null });
      if (stream.observed === 'crashloop') break;
      clock.advance(finished.at(-1)?.restartDelayMs ?? 0);
      runFor(1);
    }
    const ended = finished.slice(before);
    expect(ended.every((e) => e.reason === 'restarted' && e.countsAsRestart)).toBe(true);
    expect(ended.at(-1)?.next).toBe('crashloop');
    expect(stream.recentRestarts()).toHaveLength(5);
    stream.restart(); // requested: outside the budget
    expect(stream.observed).toBe('starting');
  });
});
