/**
 * When a check that is slower than its interval is worth a log line. Pure.
 *
 * An episode of skipped beats starts at the first beat that finds the previous probe still
 * running, and lasts until a probe completes within the interval again. A probe that is slower
 * than its interval skips a beat on every run, so "a real result ends the streak" would log
 * every other beat; here a slow result keeps the episode open and only a fast one closes it.
 *
 *   skipped beat, not in an episode ─────────────▶ episode starts (warn once)
 *   skipped beat, in an episode ─────────────────▶ nothing
 *   result slower than the interval (or timeout) ─▶ nothing (still slower than the interval)
 *   result within the interval, in an episode ───▶ episode ends (info once)
 */
export interface BeatOutcome {
  readonly skipped?: boolean;
  readonly durationMs: number;
}

export interface SkipEpisodeStep {
  readonly inEpisode: boolean;
  /** What to say now, if anything. */
  readonly event?: 'started' | 'ended';
}

export function skipEpisodeStep(inEpisode: boolean, outcome: BeatOutcome, intervalMs: number): SkipEpisodeStep {
  if (outcome.skipped === true) return inEpisode ? { inEpisode } : { inEpisode: true, event: 'started' };
  if (inEpisode && outcome.durationMs < intervalMs) return { inEpisode: false, event: 'ended' };
  return { inEpisode };
}
