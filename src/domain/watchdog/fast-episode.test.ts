import { describe, expect, it } from 'vitest';
import type { FailureClassification } from './failure-locus.js';
import { closeFastEpisode, failedAtOf, inputFailure, isFastRestart, noteFastAction } from './fast-episode.js';

const stalled: FailureClassification = { locus: 'unknown', cause: 'stalled', detail: 'progress stopped advancing', evidence: 'exit' };
const refused: FailureClassification = { locus: 'input', cause: 'connection-refused', detail: 'Connection refused', evidence: 'log' };

describe('fast-layer episodes', () => {
  it('dates a stall from the stall timeout before the kill, a start timeout from the start, others from the end', () => {
    const timeouts = { stallTimeoutMs: 10_000 };
    expect(failedAtOf({ reason: 'stalled', next: 'starting', countsAsRestart: true, at: 50_000 }, timeouts)).toBe(40_000);
    expect(failedAtOf({ reason: 'start-timeout', next: 'backoff', countsAsRestart: true, at: 50_000, startedAt: 20_000 }, timeouts)).toBe(20_000);
    expect(failedAtOf({ reason: 'exited', next: 'starting', countsAsRestart: true, at: 50_000, startedAt: 20_000 }, timeouts)).toBe(50_000);
  });

  it('places a failover switch at the input, keeping what the evidence says of the cause', () => {
    expect(inputFailure(refused, 'input 0 failed')).toBe(refused);
    expect(inputFailure(stalled, 'input 0 failed: probe failed')).toEqual({ locus: 'input', cause: 'stalled', detail: 'input 0 failed: probe failed', evidence: 'exit' });
    const none: FailureClassification = { locus: 'unknown', cause: 'unknown', detail: '', evidence: 'none' };
    expect(inputFailure(none, 'input 0 failed')).toMatchObject({ locus: 'input', evidence: 'check' });
  });

  it('is a fast restart only when the fast layer restarts on its own (not a crash loop, a stop or a requested restart)', () => {
    expect(isFastRestart({ reason: 'stalled', next: 'starting', countsAsRestart: true, at: 0 })).toBe(true);
    expect(isFastRestart({ reason: 'exited', next: 'backoff', countsAsRestart: true, at: 0 })).toBe(true);
    expect(isFastRestart({ reason: 'exited', next: 'crashloop', countsAsRestart: true, at: 0 })).toBe(false);
    expect(isFastRestart({ reason: 'restarted', next: 'starting', countsAsRestart: false, at: 0 })).toBe(false);
  });

  it('keeps the first failure unless a later action knows where it is, and closes into a record with detection and recovery times', () => {
    let episode = noteFastAction(undefined, { type: 'restart', at: 50_000, reason: 'fast layer: run stalled' }, stalled, 40_000);
    episode = noteFastAction(episode, { type: 'next-input', at: 52_000, reason: 'input 0 failed' }, refused, 52_000);
    expect(noteFastAction(episode, { type: 'restart', at: 53_000, reason: 'again' }, stalled, 53_000).failure).toBe(refused);
    const record = closeFastEpisode('radio', episode, 55_000);
    expect(record).toMatchObject({
      stream: 'radio',
      cause: 'connection-refused',
      locus: 'input',
      action: 'next-input',
      failedAt: 40_000,
      detectedAt: 50_000,
      detectedAfterMs: 10_000,
      recoveredAt: 55_000,
      recoveredAfterMs: 5_000,
    });
    expect(record.actions.map((a) => a.type)).toEqual(['restart', 'next-input']);
  });
});
