/**
 * What "normal" looks like for one stream, learned from its own progress: the bitrate baseline
 * (for the bitrate-collapse rule) and the source frame rate (for the fps rule). Pure values.
 *
 * Bitrate baseline: an average of healthy samples whose weight is max(1/n, 1 − e^(−Δt/τ)), so it
 * is the plain mean of the first samples and then turns into an EWMA with time constant τ
 * (default 5 min): one odd sample cannot move it, a real change of the encode settings moves it
 * within minutes. It is usable once `bitrateLearnMs` of samples went into it. The caller keeps it
 * from learning while the stream is degraded (a collapse must not become the new normal).
 *
 * Source frame rate: the median of the first `fpsLearnMs` of fps samples whose spread
 * ((max − min) / median) is within `fpsStableSpread`; an unstable window slides on until a stable
 * one is found. Fixed once learned. Streams without video (fps absent or 0) never learn one.
 */

export interface BaselineConfig {
  /** Samples this long after each run start are not learned from nor judged. @default 10 s */
  readonly warmupMs: number;
  /** Learning time before the bitrate baseline is used. @default 30 s */
  readonly bitrateLearnMs: number;
  /** EWMA time constant of the bitrate baseline. @default 5 min */
  readonly bitrateTauMs: number;
  /** Length of the stable window the source fps is learned from. @default 60 s */
  readonly fpsLearnMs: number;
  /** Largest (max − min) / median of that window. @default 0.1 */
  readonly fpsStableSpread: number;
}

export const DEFAULT_BASELINE_CONFIG: BaselineConfig = {
  warmupMs: 10_000,
  bitrateLearnMs: 30_000,
  bitrateTauMs: 5 * 60_000,
  fpsLearnMs: 60_000,
  fpsStableSpread: 0.1,
};

/** A gap in the samples (a restart) counts as at most this much learning time. */
const MAX_STEP_MS = 5_000;
/** Bound on the fps window whatever the sample rate. */
const MAX_FPS_SAMPLES = 1_024;

export interface BitrateBaseline {
  /** Bits per second; undefined until the first healthy sample. */
  readonly value?: number;
  readonly samples: number;
  readonly learnedMs: number;
  readonly lastAt?: number;
}

export const EMPTY_BITRATE_BASELINE: BitrateBaseline = { samples: 0, learnedMs: 0 };

/** The baseline to judge against, or undefined while still learning. */
export function bitrateReference(baseline: BitrateBaseline, config: BaselineConfig): number | undefined {
  return baseline.value !== undefined && baseline.learnedMs >= config.bitrateLearnMs ? baseline.value : undefined;
}

/** Folds one healthy sample into the baseline. Non-positive bitrates carry no information. */
export function learnBitrate(baseline: BitrateBaseline, bitrate: number, at: number, config: BaselineConfig): BitrateBaseline {
  if (!(bitrate > 0) || !Number.isFinite(bitrate)) return baseline;
  const stepMs = baseline.lastAt === undefined ? 0 : Math.min(Math.max(0, at - baseline.lastAt), MAX_STEP_MS);
  const samples = baseline.samples + 1;
  const alpha = Math.max(1 / samples, 1 - Math.exp(-stepMs / config.bitrateTauMs));
  const previous = baseline.value ?? bitrate;
  return { value: previous + alpha * (bitrate - previous), samples, learnedMs: baseline.learnedMs + stepMs, lastAt: at };
}

export interface FpsLearner {
  /** The learned source rate; fixed once set. */
  readonly value?: number;
  readonly window: readonly { readonly at: number; readonly fps: number }[];
}

export const EMPTY_FPS_LEARNER: FpsLearner = { window: [] };

export function learnFps(learner: FpsLearner, fps: number, at: number, config: BaselineConfig): FpsLearner {
  if (learner.value !== undefined || !(fps > 0) || !Number.isFinite(fps)) return learner;
  const window = [...learner.window, { at, fps }];
  // Keep one sample at or before the window start so a full window can be recognised.
  const start = at - config.fpsLearnMs;
  let drop = 0;
  while (drop + 1 < window.length && (window[drop + 1]?.at ?? Infinity) <= start) drop++;
  drop = Math.max(drop, window.length - MAX_FPS_SAMPLES);
  const kept = window.slice(drop);
  const first = kept[0];
  if (first === undefined || at - first.at < config.fpsLearnMs) return { window: kept };
  const sorted = kept.map((sample) => sample.fps).sort((a, b) => a - b);
  const median = medianOf(sorted);
  const spread = ((sorted.at(-1) ?? median) - (sorted[0] ?? median)) / median;
  return spread <= config.fpsStableSpread ? { value: median, window: [] } : { window: kept };
}

function medianOf(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}
