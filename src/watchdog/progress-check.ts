/**
 * The built-in `progress` check of every stream, sampled from the stream supervisor's progress
 * (no probe, no process): once per interval (default 1 s) while the stream runs.
 *
 * - Passing while ffmpeg's counters advanced within the last `FRESH_MS`; failing once they have
 *   not for the check's threshold (default 10 s, the stall timeout). Acting on a stall is the
 *   fast layer's (it kills and restarts at `stallTimeout`): the watchdog reports this check in
 *   the stream's health but never runs the recovery ladder for it alone.
 * - Degraded (degradation.ts): speed, bitrate against the stream's learned baseline, fps against
 *   the source rate, each held for its time. A warning, never a restart. Baselines are kept for
 *   the watchdog's life (one spec); each run starts a new warm-up.
 */
import { DEFAULT_PROGRESS_CHECK } from '../domain/check-defaults.js';
import type { ProgressDegradedSettings } from '../domain/check-settings.js';
import type { ObservedState } from '../domain/lifecycle.js';
import type { ProgressSnapshot } from '../domain/progress-tracker.js';
import type { CheckSpecOf } from '../domain/stream-spec.js';
import {
  createCheckState,
  judgementFromSpec,
  recordResult,
  resetCheck,
  type CheckState,
  type CheckTransition,
} from '../domain/watchdog/check-state.js';
import {
  beginRun,
  createDegradationState,
  formatBitrate,
  observeProgress,
  sampleFromSnapshot,
  type DegradationBreach,
  type DegradationOptions,
  type DegradationState,
} from '../domain/watchdog/degradation.js';
import { secondsText } from './check-scheduler.js';

/** Progress counts as advancing when a counter moved within this long (ffmpeg reports every 1 s). */
export const FRESH_MS = 2_500;

export function degradationOptions(settings: ProgressDegradedSettings | undefined): DegradationOptions {
  if (settings === undefined) return {};
  const { speed, bitrate, fps } = settings;
  return {
    ...(speed !== undefined && { speed: { ...(speed.min !== undefined && { min: speed.min }), ...(speed.forMs !== undefined && { forMs: speed.forMs }) } }),
    ...(bitrate !== undefined && {
      bitrate: { ...(bitrate.minRatio !== undefined && { minRatio: bitrate.minRatio }), ...(bitrate.forMs !== undefined && { forMs: bitrate.forMs }) },
    }),
    ...(fps !== undefined && {
      fps: {
        ...(fps.minRatio !== undefined && { minRatio: fps.minRatio }),
        ...(fps.forMs !== undefined && { forMs: fps.forMs }),
        ...(fps.sourceFps !== undefined && { sourceFps: fps.sourceFps }),
      },
    }),
    baseline: {
      ...(settings.warmupMs !== undefined && { warmupMs: settings.warmupMs }),
      ...(bitrate?.learnMs !== undefined && { bitrateLearnMs: bitrate.learnMs }),
      ...(fps?.learnMs !== undefined && { fpsLearnMs: fps.learnMs }),
    },
  };
}

export interface ProgressSampleUpdate {
  readonly transition?: CheckTransition;
  /** The degraded rules breached now changed (a rule started or stopped being breached). */
  readonly degradationChanged: boolean;
}

export class ProgressCheck {
  /** The check as configured, or the built-in defaults (`{type: progress}`). */
  readonly spec: CheckSpecOf<'progress'>;
  private checkState: CheckState;
  private degradation: DegradationState;
  private current: readonly DegradationBreach[] = [];

  constructor(configured: CheckSpecOf<'progress'> | undefined, now: number) {
    this.spec = configured ?? DEFAULT_PROGRESS_CHECK;
    // No start grace: it is sampled only while running, i.e. after the start timeout's judgement.
    this.checkState = createCheckState(judgementFromSpec(this.spec, 0), now);
    this.degradation = createDegradationState(now, degradationOptions(this.spec.settings.degraded));
  }

  get state(): CheckState {
    return this.checkState;
  }

  /** Degraded rules breached for their whole hold time, as of the last sample. */
  get breaches(): readonly DegradationBreach[] {
    return this.current;
  }

  /** A new run: warm-up again, a fresh verdict with the start grace; baselines are kept. */
  beginRun(now: number): void {
    this.degradation = beginRun(this.degradation, now);
    this.checkState = resetCheck(this.checkState, now);
    this.current = [];
  }

  /** The stream is not running: nothing to judge, nothing breached. */
  idle(): boolean {
    const changed = this.current.length > 0;
    this.current = [];
    return changed;
  }

  sample(observed: ObservedState, progress: ProgressSnapshot | undefined, now: number): ProgressSampleUpdate {
    if (observed !== 'running') return { degradationChanged: this.idle() };
    const lastAdvance = progress?.lastAdvanceAtMs;
    const fresh = lastAdvance !== undefined && now - lastAdvance <= FRESH_MS;
    const message = fresh && progress !== undefined ? describeProgress(progress) : `no advancing progress for ${secondsText(now - (lastAdvance ?? now))}`;
    const update = recordResult(this.checkState, { ok: fresh, message, at: now, durationMs: 0 });
    this.checkState = update.state;

    const before = this.current.map((breach) => breach.rule).join();
    if (fresh && progress !== undefined) {
      const report = observeProgress(this.degradation, sampleFromSnapshot(progress, now));
      this.degradation = report.state;
      this.current = report.breaches;
    }
    const degradationChanged = before !== this.current.map((breach) => breach.rule).join();
    return { ...(update.transition !== undefined && { transition: update.transition }), degradationChanged };
  }
}

function describeProgress(p: ProgressSnapshot): string {
  const parts: string[] = ['advancing'];
  if (p.fps !== undefined && p.fps > 0) parts.push(`${p.fps.toFixed(1)} fps`);
  if (p.bitrate !== undefined) parts.push(formatBitrate(p.bitrate));
  if (p.speed !== undefined) parts.push(`speed ${p.speed.toFixed(2)}x`);
  return parts.join(', ');
}
