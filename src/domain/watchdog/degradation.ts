/**
 * The built-in `progress` check's "degraded" rules (DESIGN §3) over a stream of progress
 * samples. Degraded is a warning, never a reason to restart: a slow encoder is not a dead one.
 *
 * | rule    | breached when                                        | held for |
 * |---------|------------------------------------------------------|----------|
 * | speed   | speed < 0.95                                         | 30 s     |
 * | bitrate | bitrate < 20 % of the stream's own learned baseline  | 15 s     |
 * | fps     | fps < 80 % of the source rate (given, or learned)    | 30 s     |
 *
 * "Held" means every sample since the first breaching one breached; one good sample resets the
 * rule. A sample without the metric (ffmpeg did not report it) leaves the rule as it was. Nothing
 * is judged during the warm-up after each run start (rates over the first seconds are noise).
 *
 * Keep one state per stream spec: baselines survive restarts (`beginRun`) because the same spec
 * should produce the same bitrate, and are thrown away with a new spec (`createDegradationState`).
 */
import type { ProgressSnapshot } from '../progress-tracker.js';
import {
  bitrateReference,
  DEFAULT_BASELINE_CONFIG,
  EMPTY_BITRATE_BASELINE,
  EMPTY_FPS_LEARNER,
  learnBitrate,
  learnFps,
  type BaselineConfig,
  type BitrateBaseline,
  type FpsLearner,
} from './baseline.js';

export type DegradationRule = 'speed' | 'bitrate' | 'fps';
export const DEGRADATION_RULES: readonly DegradationRule[] = ['speed', 'bitrate', 'fps'];

export interface DegradationConfig {
  /** @default { min: 0.95, forMs: 30 s } */
  readonly speed: { readonly min: number; readonly forMs: number };
  /** @default { minRatio: 0.2, forMs: 15 s } */
  readonly bitrate: { readonly minRatio: number; readonly forMs: number };
  /** `sourceFps` absent: learned from the first stable minute. @default { minRatio: 0.8, forMs: 30 s } */
  readonly fps: { readonly minRatio: number; readonly forMs: number; readonly sourceFps?: number };
  readonly baseline: BaselineConfig;
}

export const DEFAULT_DEGRADATION_CONFIG: DegradationConfig = {
  speed: { min: 0.95, forMs: 30_000 },
  bitrate: { minRatio: 0.2, forMs: 15_000 },
  fps: { minRatio: 0.8, forMs: 30_000 },
  baseline: DEFAULT_BASELINE_CONFIG,
};

/** Any subset of the config; the rest comes from the defaults. */
export interface DegradationOptions {
  readonly speed?: Partial<DegradationConfig['speed']>;
  readonly bitrate?: Partial<DegradationConfig['bitrate']>;
  readonly fps?: Partial<DegradationConfig['fps']>;
  readonly baseline?: Partial<BaselineConfig>;
}

export function resolveDegradationConfig(options: DegradationOptions = {}): DegradationConfig {
  const d = DEFAULT_DEGRADATION_CONFIG;
  return {
    speed: { ...d.speed, ...options.speed },
    bitrate: { ...d.bitrate, ...options.bitrate },
    fps: { ...d.fps, ...options.fps },
    baseline: { ...d.baseline, ...options.baseline },
  };
}

/** One reading of the run's windowed rates (see ProgressTracker). */
export interface ProgressSample {
  readonly at: number;
  /** Media seconds per wall second. */
  readonly speed?: number;
  readonly fps?: number;
  /** Bits per second. */
  readonly bitrate?: number;
}

export function sampleFromSnapshot(snapshot: ProgressSnapshot, at: number): ProgressSample {
  return { at, speed: snapshot.speed, fps: snapshot.fps, bitrate: snapshot.bitrate };
}

export interface RuleState {
  /** First sample of the current breaching run; unset when the latest sample was fine. */
  readonly since?: number;
  readonly breached: boolean;
}

export interface DegradationState {
  readonly config: DegradationConfig;
  readonly runStartedAt: number;
  readonly bitrateBaseline: BitrateBaseline;
  readonly fps: FpsLearner;
  readonly rules: Readonly<Record<DegradationRule, RuleState>>;
}

export interface DegradationBreach {
  readonly rule: DegradationRule;
  /** The latest value of the metric. */
  readonly value: number;
  /** The value it must not fall below. */
  readonly threshold: number;
  readonly heldMs: number;
  /** E.g. "speed 0.82x below 0.95 for 31 s". */
  readonly message: string;
}

export interface DegradationReport {
  readonly state: DegradationState;
  /** Rules breached for their whole hold time, in DEGRADATION_RULES order; empty when not degraded. */
  readonly breaches: readonly DegradationBreach[];
}

const CLEAR: RuleState = { breached: false };
const ALL_CLEAR: Readonly<Record<DegradationRule, RuleState>> = { speed: CLEAR, bitrate: CLEAR, fps: CLEAR };

/** A new state for a (new) spec: nothing learned; the first run starts at `at`. */
export function createDegradationState(at: number, options: DegradationOptions = {}): DegradationState {
  return {
    config: resolveDegradationConfig(options),
    runStartedAt: at,
    bitrateBaseline: EMPTY_BITRATE_BASELINE,
    fps: EMPTY_FPS_LEARNER,
    rules: ALL_CLEAR,
  };
}

/** A new run of the same spec: warm-up again and clear the rules, keep what was learned. */
export function beginRun(state: DegradationState, at: number): DegradationState {
  return { ...state, runStartedAt: at, rules: ALL_CLEAR, fps: state.fps.value === undefined ? EMPTY_FPS_LEARNER : state.fps };
}

export function observeProgress(state: DegradationState, sample: ProgressSample): DegradationReport {
  const { config } = state;
  if (sample.at - state.runStartedAt < config.baseline.warmupMs) return { state, breaches: [] };

  const sourceFps = config.fps.sourceFps ?? state.fps.value;
  const baseline = bitrateReference(state.bitrateBaseline, config.baseline);
  const limits: Record<DegradationRule, number | undefined> = {
    speed: config.speed.min,
    bitrate: baseline === undefined ? undefined : baseline * config.bitrate.minRatio,
    fps: sourceFps === undefined || sourceFps <= 0 ? undefined : sourceFps * config.fps.minRatio,
  };
  const holds: Record<DegradationRule, number> = { speed: config.speed.forMs, bitrate: config.bitrate.forMs, fps: config.fps.forMs };

  const rules = { ...state.rules };
  const breaches: DegradationBreach[] = [];
  for (const rule of DEGRADATION_RULES) {
    const limit = limits[rule];
    const value = sample[rule];
    if (limit === undefined) {
      rules[rule] = CLEAR;
      continue;
    }
    if (value === undefined || !Number.isFinite(value)) continue;
    if (value >= limit) {
      rules[rule] = CLEAR;
      continue;
    }
    const since = state.rules[rule].since ?? sample.at;
    const heldMs = sample.at - since;
    const breached = heldMs >= holds[rule];
    rules[rule] = { since, breached };
    if (breached) breaches.push({ rule, value, threshold: limit, heldMs, message: describe(rule, value, heldMs, config, baseline, sourceFps) });
  }

  // Learn only from samples that look normal: never while degraded or while the bitrate is low.
  const healthy = breaches.length === 0 && rules.bitrate.since === undefined;
  const next: DegradationState = {
    ...state,
    rules,
    bitrateBaseline:
      healthy && sample.bitrate !== undefined
        ? learnBitrate(state.bitrateBaseline, sample.bitrate, sample.at, config.baseline)
        : state.bitrateBaseline,
    fps: healthy && sample.fps !== undefined ? learnFps(state.fps, sample.fps, sample.at, config.baseline) : state.fps,
  };
  return { state: next, breaches };
}

function describe(
  rule: DegradationRule,
  value: number,
  heldMs: number,
  config: DegradationConfig,
  baseline: number | undefined,
  sourceFps: number | undefined,
): string {
  const held = `for ${Math.floor(heldMs / 1_000)} s`;
  switch (rule) {
    case 'speed':
      return `speed ${value.toFixed(2)}x below ${config.speed.min} ${held}`;
    case 'bitrate':
      return `bitrate ${formatBitrate(value)} below ${percent(config.bitrate.minRatio)} of baseline ${formatBitrate(baseline ?? 0)} ${held}`;
    case 'fps':
      return `fps ${round1(value)} below ${percent(config.fps.minRatio)} of source ${round1(sourceFps ?? 0)} ${held}`;
  }
}

export function formatBitrate(bps: number): string {
  if (bps >= 1e6) return `${round1(bps / 1e6)} Mb/s`;
  return `${Math.round(bps / 1e3)} kb/s`;
}

const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;
const round1 = (value: number): string => String(Math.round(value * 10) / 10);
