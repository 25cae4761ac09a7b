import { describe, expect, it } from 'vitest';
import type { StreamStatus } from '../ports/supervised-stream.js';
import { cpuRatioBetween, StreamTally } from './stream-tally.js';

function status(frames: number | undefined, bytes: number | undefined): StreamStatus {
  return {
    id: 'cam',
    name: 'cam',
    desired: 'running',
    state: 'running',
    pid: 10,
    restarts: 0,
    uptimeSeconds: 1,
    lastError: undefined,
    lastProgressAt: frames === undefined ? undefined : 1_000 + frames,
    progress: frames === undefined && bytes === undefined ? undefined : { frames, bytes, blocks: 1, ended: false },
    health: 'healthy',
    healthReason: 'running',
    activeInput: 0,
  };
}

describe('StreamTally', () => {
  it('adds every run to the totals of the runs before it, counting each run from zero', () => {
    const tally = new StreamTally({});
    tally.runStarted();
    tally.observe(status(100, 1_000));
    tally.runFinished(undefined);
    tally.runStarted();
    tally.observe(status(30, 300));
    expect([tally.outputFrames, tally.outputBytes]).toEqual([130, 1_300]);
  });

  it('includes the tail of a run from its final totals, and never goes down', () => {
    const tally = new StreamTally({});
    tally.runStarted();
    tally.observe(status(100, 1_000));
    tally.runFinished({ frames: 120, bytes: 1_200 });
    expect([tally.outputFrames, tally.outputBytes]).toEqual([120, 1_200]);
    tally.runStarted();
    tally.observe(status(50, 500));
    tally.observe(status(40, 400)); // a lower reading within a run is ignored
    tally.runFinished({ frames: 10 }); // final totals lower than seen: keep what was seen
    expect([tally.outputFrames, tally.outputBytes]).toEqual([170, 1_700]);
  });

  it('between runs (no process, no progress) keeps the totals and the last progress time', () => {
    const tally = new StreamTally({});
    tally.runStarted();
    tally.observe(status(10, 100));
    tally.runFinished(undefined);
    tally.observe({ ...status(undefined, undefined), pid: undefined });
    expect(tally.outputFrames).toBe(10);
    expect(tally.lastProgressAt).toBe(1_010);
    expect(tally.currentRun()).toBeUndefined();
  });

  it('takes CPU samples for the current run only, and drops samples of a reused pid', () => {
    const tally = new StreamTally({});
    tally.runStarted();
    const first = tally.currentRun();
    if (!first) throw new Error('no run');
    tally.sampled(first, { cpuSeconds: 5, residentBytes: 10, startTicks: 1 }, 1_000);
    tally.sampled(first, { cpuSeconds: 50, residentBytes: 99, startTicks: 2 }, 2_000); // another process
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([5, 10]);
    tally.runFinished(undefined);
    tally.sampled(first, { cpuSeconds: 7, residentBytes: 10, startTicks: 1 }, 3_000); // arrived after the run ended
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([5, undefined]);
    tally.runStarted();
    const second = tally.currentRun();
    if (!second) throw new Error('no run');
    tally.sampled(second, { cpuSeconds: 2, residentBytes: 20, startTicks: 3 }, 4_000);
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([7, 20]);
  });

  it('the CPU ratio of the current process: CPU seconds per second between its last two samples', () => {
    const tally = new StreamTally({});
    tally.runStarted();
    const run = tally.currentRun();
    if (!run) throw new Error('no run');
    tally.sampled(run, { cpuSeconds: 10, residentBytes: 1, startTicks: 1 }, 1_000);
    expect(tally.cpuRatio).toBeUndefined(); // one sample says nothing about now
    tally.sampled(run, { cpuSeconds: 12.5, residentBytes: 1, startTicks: 1 }, 6_000);
    expect(tally.cpuRatio).toBeCloseTo(0.5);
    tally.sampled(run, { cpuSeconds: 22.5, residentBytes: 1, startTicks: 1 }, 11_000);
    expect(tally.cpuRatio).toBeCloseTo(2); // two cores busy
    tally.runFinished(undefined);
    expect(tally.cpuRatio).toBeUndefined();
  });

  it.each<[string, number | undefined, number, number, number, number | undefined]>([
    ['no earlier sample', undefined, 0, 5_000, 1, undefined],
    ['no time passed', 5_000, 1, 5_000, 2, undefined],
    ['idle', 0, 3, 5_000, 3, 0],
    ['a lower reading', 0, 3, 5_000, 2, 0],
    ['a quarter of a core', 0, 1, 4_000, 2, 0.25],
  ])('cpuRatioBetween: %s', (_name, earlierAt, earlierCpu, at, cpu, expected) => {
    expect(cpuRatioBetween(earlierAt, earlierCpu, at, cpu)).toBe(expected);
  });
});
