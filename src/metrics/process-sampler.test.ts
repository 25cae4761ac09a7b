import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { ProcessSampler, type SampleTarget } from './process-sampler.js';
import type { ProcessStats, ProcessStatsReader } from '../ports/process-stats.js';

/** A reader whose reads stay pending until the test releases them. */
class GatedReader implements ProcessStatsReader {
  readonly pending: Array<() => void> = [];
  maxInFlight = 0;
  private inFlight = 0;
  read(pid: number): Promise<ProcessStats | undefined> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      this.pending.push(() => {
        this.inFlight--;
        resolve(pid === 0 ? undefined : { cpuSeconds: pid, residentBytes: pid, startTicks: 1 });
      });
    });
  }
  releaseAll(): void {
    for (const release of this.pending.splice(0)) release();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function targets(pids: number[], seen: number[]): SampleTarget[] {
  return pids.map((pid) => ({ pid, accept: (stats: ProcessStats) => seen.push(stats.cpuSeconds) }));
}

describe('ProcessSampler', () => {
  it('samples at start, then every interval after a pass ends, and never overlaps passes', async () => {
    const clock = new FakeClock();
    const reader = new GatedReader();
    const seen: number[] = [];
    let passes = 0;
    const sampler = new ProcessSampler({
      clock,
      reader,
      intervalMs: 5_000,
      targets: () => {
        passes++;
        return targets([1, 2, 0], seen);
      },
    });
    sampler.start();
    expect(passes).toBe(1);
    clock.advance(20_000); // the first pass is still reading: nothing else starts
    expect(passes).toBe(1);
    expect(sampler.sampleNow()).toBe(sampler.sampleNow()); // shared, not doubled
    expect(passes).toBe(1);
    reader.releaseAll();
    await sampler.whenIdle();
    expect(seen).toEqual([1, 2]); // pid 0 is gone: no sample
    clock.advance(4_999);
    expect(passes).toBe(1);
    clock.advance(1);
    expect(passes).toBe(2);
    reader.releaseAll();
    await sampler.whenIdle();
    sampler.stop();
    clock.advance(60_000);
    expect(passes).toBe(2);
  });

  it('keeps at most `concurrency` reads in flight', async () => {
    const reader = new GatedReader();
    const seen: number[] = [];
    const sampler = new ProcessSampler({
      clock: new FakeClock(),
      reader,
      intervalMs: 5_000,
      concurrency: 4,
      targets: () => targets(Array.from({ length: 50 }, (_, i) => i + 1), seen),
    });
    const pass = sampler.sampleNow();
    while (reader.pending.length > 0) {
      reader.releaseAll();
      await flush();
    }
    await pass;
    expect(reader.maxInFlight).toBe(4);
    expect(seen).toHaveLength(50);
  });
});
