import { describe, expect, it } from 'vitest';
import {
  beginRun,
  createDegradationState,
  formatBitrate,
  observeProgress,
  resolveDegradationConfig,
  sampleFromSnapshot,
  type DegradationBreach,
  type DegradationOptions,
  type DegradationState,
  type ProgressSample,
} from './degradation.js';

const S = 1_000;
const NORMAL = { speed: 1, fps: 30, bitrate: 2_500_000 };
type Metrics = Omit<ProgressSample, 'at'>;

/** Feeds one sample a second over [from, to] seconds; returns the state and the last breaches. */
function feed(state: DegradationState, from: number, to: number, metrics: Metrics) {
  let current = state;
  let breaches: readonly DegradationBreach[] = [];
  for (let t = from; t <= to; t++) {
    const report = observeProgress(current, { at: t * S, ...metrics });
    current = report.state;
    breaches = report.breaches;
  }
  return { state: current, breaches };
}

/** A stream that ran normally for two minutes (baselines learned), then shows `metrics`. */
function afterNormal(metrics: Metrics, seconds: number, options: DegradationOptions = {}) {
  const warm = feed(createDegradationState(0, options), 0, 120, NORMAL).state;
  return feed(warm, 121, 120 + seconds, metrics);
}

describe('the three rules with their default hold times', () => {
  it.each<[string, Metrics, number, string | undefined]>([
    ['speed 0.82 held 29 s', { ...NORMAL, speed: 0.82 }, 29, undefined],
    ['speed 0.82 held 30 s', { ...NORMAL, speed: 0.82 }, 31, 'speed 0.82x below 0.95 for 30 s'],
    ['speed exactly 0.95 is fine', { ...NORMAL, speed: 0.95 }, 60, undefined],
    ['bitrate at 10 % held 14 s', { ...NORMAL, bitrate: 250_000 }, 15, undefined],
    ['bitrate at 10 % held 15 s', { ...NORMAL, bitrate: 250_000 }, 16, 'bitrate 250 kb/s below 20 % of baseline 2.5 Mb/s for 15 s'],
    ['bitrate at 30 % is fine', { ...NORMAL, bitrate: 750_000 }, 60, undefined],
    ['fps 20 held 30 s', { ...NORMAL, fps: 20 }, 31, 'fps 20 below 80 % of source 30 for 30 s'],
    ['fps 25 is fine', { ...NORMAL, fps: 25 }, 60, undefined],
  ])('%s', (_name, metrics, seconds, message) => {
    const { breaches } = afterNormal(metrics, seconds);
    expect(breaches.map((b) => b.message)).toEqual(message === undefined ? [] : [message]);
  });

  it('reports every breached rule, with value, threshold and hold time', () => {
    const { breaches } = afterNormal({ speed: 0.5, fps: 15, bitrate: 100_000 }, 31);
    expect(breaches.map((b) => [b.rule, b.value, b.heldMs])).toEqual([
      ['speed', 0.5, 30 * S],
      ['bitrate', 100_000, 30 * S],
      ['fps', 15, 30 * S],
    ]);
    expect(breaches[1]?.threshold).toBeCloseTo(500_000);
  });

  it('one good sample resets the hold time', () => {
    const half = afterNormal({ ...NORMAL, speed: 0.8 }, 20).state;
    const good = feed(half, 141, 141, NORMAL).state;
    expect(feed(good, 142, 171, { ...NORMAL, speed: 0.8 }).breaches).toEqual([]);
    expect(feed(good, 142, 172, { ...NORMAL, speed: 0.8 }).breaches).toHaveLength(1);
  });

  it('a missing metric leaves its rule as it was', () => {
    const half = afterNormal({ ...NORMAL, speed: 0.8 }, 20).state;
    const gap = feed(half, 141, 145, { fps: 30, bitrate: 2_500_000 }).state;
    expect(feed(gap, 146, 151, { ...NORMAL, speed: 0.8 }).breaches.map((b) => b.heldMs)).toEqual([30 * S]);
  });
});

describe('configurable thresholds', () => {
  it('takes any subset of options', () => {
    const config = resolveDegradationConfig({ speed: { min: 0.9 }, fps: { sourceFps: 25 } });
    expect(config.speed).toEqual({ min: 0.9, forMs: 30_000 });
    expect(config.fps).toEqual({ minRatio: 0.8, forMs: 30_000, sourceFps: 25 });
    expect(config.bitrate).toEqual({ minRatio: 0.2, forMs: 15_000 });
  });

  it('uses a given source rate from the start, without learning', () => {
    const state = createDegradationState(0, { fps: { sourceFps: 50 } });
    expect(feed(state, 0, 40, { speed: 1, fps: 30 }).breaches.map((b) => b.message)).toEqual(['fps 30 below 80 % of source 50 for 30 s']);
  });

  it('honours custom hold times and ratios', () => {
    const { breaches } = afterNormal({ ...NORMAL, speed: 0.97 }, 6, { speed: { min: 0.99, forMs: 5_000 } });
    expect(breaches.map((b) => b.message)).toEqual(['speed 0.97x below 0.99 for 5 s']);
  });
});

describe('warm-up and learning', () => {
  it('judges nothing during the warm-up of a run', () => {
    const state = createDegradationState(0, { speed: { forMs: 1_000 } });
    expect(feed(state, 0, 9, { speed: 0.1 }).breaches).toEqual([]);
    expect(feed(state, 0, 11, { speed: 0.1 }).breaches).toHaveLength(1);
  });

  it('has no bitrate rule until 30 s of samples after the warm-up went into the baseline', () => {
    const state = createDegradationState(0, { bitrate: { forMs: 0 } });
    const learning = feed(state, 10, 39, { bitrate: 1_000_000 }).state;
    expect(feed(learning, 40, 40, { bitrate: 1 }).breaches).toEqual([]);
    const learned = feed(learning, 40, 40, { bitrate: 1_000_000 }).state;
    expect(learned.bitrateBaseline.value).toBe(1_000_000);
    expect(feed(learned, 41, 41, { bitrate: 1 }).breaches.map((b) => b.rule)).toEqual(['bitrate']);
  });

  it('does not learn from a collapse: the baseline holds while the bitrate is low', () => {
    const { state } = afterNormal({ ...NORMAL, bitrate: 100_000 }, 600);
    expect(state.bitrateBaseline.value).toBe(2_500_000);
    expect(state.rules.bitrate.breached).toBe(true);
  });

  it('does not learn while degraded by another rule', () => {
    // Slow but not yet degraded: learned during the 30 s hold, then frozen once degraded.
    const slow = { speed: 0.5, fps: 30, bitrate: 1_500_000 };
    const atBreach = afterNormal(slow, 30).state.bitrateBaseline;
    const later = afterNormal(slow, 600).state.bitrateBaseline;
    expect(later.value).toBe(atBreach.value);
    expect(later.samples).toBe(atBreach.samples);
  });

  it('follows a lasting, healthy change of bitrate within minutes', () => {
    const { state } = afterNormal({ ...NORMAL, bitrate: 1_500_000 }, 20 * 60);
    expect(state.bitrateBaseline.value).toBeCloseTo(1_500_000, -5);
  });

  it('learns the source fps from the first stable minute, not from an unstable one', () => {
    const start = createDegradationState(0);
    const unstable = feed(feed(start, 10, 40, { fps: 10 }).state, 41, 70, { fps: 30 }).state;
    expect(unstable.fps.value).toBeUndefined();
    const stable = feed(unstable, 71, 101, { fps: 30 }).state;
    expect(stable.fps.value).toBe(30);
  });

  it('never learns an fps for an audio-only stream', () => {
    const { state } = feed(createDegradationState(0), 0, 300, { speed: 1, fps: 0, bitrate: 128_000 });
    expect(state.fps.value).toBeUndefined();
    expect(state.rules.fps).toEqual({ breached: false });
  });
});

describe('runs and specs', () => {
  it('beginRun keeps the baselines, clears the rules and warms up again', () => {
    const degraded = afterNormal({ ...NORMAL, speed: 0.5 }, 40).state;
    expect(degraded.rules.speed.breached).toBe(true);
    const next = beginRun(degraded, 200 * S);
    expect(next.rules.speed).toEqual({ breached: false });
    expect(next.bitrateBaseline).toBe(degraded.bitrateBaseline);
    expect(next.fps.value).toBe(30);
    expect(feed(next, 200, 209, { ...NORMAL, bitrate: 1 }).breaches).toEqual([]);
  });

  it('beginRun drops a half-learned fps window', () => {
    const half = feed(createDegradationState(0), 10, 40, { fps: 30 }).state;
    expect(beginRun(half, 50 * S).fps.window).toEqual([]);
  });

  it('a new spec starts from nothing', () => {
    expect(createDegradationState(500 * S).bitrateBaseline.samples).toBe(0);
  });
});

describe('helpers', () => {
  it('builds a sample from a progress snapshot', () => {
    expect(sampleFromSnapshot({ blocks: 3, ended: false, fps: 30, speed: 1.01, bitrate: 8e5 }, 7)).toEqual({ at: 7, speed: 1.01, fps: 30, bitrate: 8e5 });
  });

  it.each([
    [128_000, '128 kb/s'],
    [999_499, '999 kb/s'],
    [2_500_000, '2.5 Mb/s'],
    [0, '0 kb/s'],
  ])('formats %i b/s as %s', (bps, text) => {
    expect(formatBitrate(bps)).toBe(text);
  });
});
