import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { DEFAULT_STOP_POLICY } from '../domain/stream-spec.js';
import { stopStrayRuns, type StrayRun } from './stop-stray-runs.js';

const run = (stream: string, pid: number): StrayRun => ({
  stream,
  pid,
  pgid: pid,
  startTicks: 1,
  bootId: 'boot',
  cmdlineHash: 'x',
  paths: { dir: '/d', progressPipe: '/d/p', stderrPipe: '/d/e' },
});

function setup() {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const forgotten: string[] = [];
  const deps = { runner, clock, logger: silentLogger, stop: DEFAULT_STOP_POLICY, forget: (r: StrayRun) => forgotten.push(r.stream) };
  return { clock, runner, forgotten, deps };
}

describe('stopStrayRuns', () => {
  it('adopts a stray run and stops it with SIGINT, then SIGTERM, then SIGKILL', async () => {
    const { clock, runner, forgotten, deps } = setup();
    const done = stopStrayRuns([run('gone-stream', 500)], deps);
    const proc = runner.adopted[0];
    expect(proc?.signals).toEqual(['SIGINT']);
    clock.advance(5_000);
    expect(proc?.signals).toEqual(['SIGINT', 'SIGTERM']);
    clock.advance(5_000);
    expect(proc?.signals).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    proc?.exit({ code: null, signal: null, unknownExit: true });
    await done;
    expect(forgotten).toEqual(['gone-stream']);
  });

  it('never signals a process it cannot prove ours, and forgets entries whose process is gone', async () => {
    const { runner, forgotten, deps } = setup();
    runner.adoptVerdict = (request) =>
      request.pid === 1 ? { adopted: false, reason: 'cmdline-mismatch' } : { adopted: false, reason: 'not-running' };
    await stopStrayRuns([run('foreign', 1), run('dead', 2)], deps);
    expect(runner.adopted).toHaveLength(0);
    expect(forgotten).toEqual(['dead']);
  });
});
