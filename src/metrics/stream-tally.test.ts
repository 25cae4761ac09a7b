import { describe, expect, it } from 'vitest';
import type { StreamStatus } from '../ports/supervised-stream.js';
import { StreamTally } from './stream-tally.js';

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
    tally.sampled(first, { cpuSeconds: 5, residentBytes: 10, startTicks: 1 });
    tally.sampled(first, { cpuSeconds: 50, residentBytes: 99, startTicks: 2 }); // another process
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([5, 10]);
    tally.runFinished(undefined);
    tally.sampled(first, { cpuSeconds: 7, residentBytes: 10, startTicks: 1 }); // arrived after the run ended
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([5, undefined]);
    tally.runStarted();
    const second = tally.currentRun();
    if (!second) throw new Error('no run');
    tally.sampled(second, { cpuSeconds: 2, residentBytes: 20, startTicks: 3 });
    expect([tally.cpuSeconds, tally.residentBytes]).toEqual([7, 20]);
  });
});
