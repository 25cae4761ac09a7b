import { describe, expect, it } from 'vitest';
import { skipEpisodeStep, type BeatOutcome } from './skip-episode.js';

/** Feeds outcomes in order; returns the events said. */
function events(outcomes: readonly BeatOutcome[], intervalMs = 3_000): string[] {
  let inEpisode = false;
  const said: string[] = [];
  for (const outcome of outcomes) {
    const step = skipEpisodeStep(inEpisode, outcome, intervalMs);
    inEpisode = step.inEpisode;
    if (step.event !== undefined) said.push(step.event);
  }
  return said;
}

const skip: BeatOutcome = { skipped: true, durationMs: 3_000 };

describe('skipEpisodeStep', () => {
  it('says nothing while probes keep up with the interval', () => {
    expect(events([{ durationMs: 800 }, { durationMs: 900 }, { durationMs: 2_999 }])).toEqual([]);
  });

  it('warns once for a probe that is slower than its interval on every run (6 s probe, 3 s beats)', () => {
    const slow: BeatOutcome[] = [];
    for (let i = 0; i < 10; i += 1) slow.push(skip, { durationMs: 6_000 });
    expect(events(slow)).toEqual(['started']);
  });

  it('a timeout keeps the episode open', () => {
    expect(events([skip, skip, { durationMs: 10_000 }, skip])).toEqual(['started']);
  });

  it('ends when a probe completes within the interval; a new slow spell is a new episode', () => {
    expect(events([skip, { durationMs: 6_000 }, { durationMs: 700 }, { durationMs: 700 }, skip, { durationMs: 5_000 }, skip])).toEqual(['started', 'ended', 'started']);
  });
});
