import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../lifecycle.js';
import type { RecoveryAction } from '../stream-spec.js';
import { createCheckState, type CheckState } from './check-state.js';
import { decideWithInputSide, inputSideFailure } from './input-side.js';
import { INITIAL_RECOVERY_STATE, type RecoveryPolicyConfig, type RecoveryState } from './recovery-policy.js';

const S = 1_000;

function config(ladder: readonly RecoveryAction[]): RecoveryPolicyConfig {
  return {
    ladder,
    cooldownMs: 60 * S,
    settleMs: { restart: 30 * S, 'drop-publisher': 30 * S, 'next-input': 30 * S, notify: 0 },
    intentionalGraceMs: 30 * S,
    budget: { restarts: 5, withinMs: 300 * S },
    slowRetryMs: 60 * S,
  };
}

const FAILURE = { summary: 'input check failing: mother: timed out after 4 s', since: 100 * S };

function decide(ladder: readonly RecoveryAction[], observed: ObservedState, at: number, state: RecoveryState = INITIAL_RECOVERY_STATE, failure: typeof FAILURE | 'none' = FAILURE) {
  // The fast layer restarted a second ago: that alone would hold the ladder back ("still settling").
  const health = observed === 'starting' ? 'unknown' : 'unhealthy';
  return decideWithInputSide(config(ladder), state, { now: at, health, observed, fastRestarts: [at - S], summary: `process is ${observed}` }, failure === 'none' ? undefined : failure);
}

describe('decideWithInputSide: an input-side failure reaches the ladder whatever the fast layer does', () => {
  it.each<ObservedState>(['starting', 'backoff', 'crashloop'])('%s: notify and drop-publisher run at once, despite the fast restarts', (observed) => {
    const decision = decide(['notify', 'drop-publisher'], observed, 110 * S);
    expect(decision.actions.map((action) => action.type)).toEqual(['notify', 'drop-publisher']);
    expect(decision.actions[0]?.reason).toContain('input check failing: mother');
    expect(decision.state.rung).toBe(2);
    expect(decision.state.episode?.startedAt).toBe(100 * S);
  });

  it('skips the restart rungs (the fast layer restarts already) and keeps the rung in the full ladder', () => {
    const first = decide(['restart', 'drop-publisher', 'next-input', 'notify'], 'backoff', 110 * S);
    expect(first.actions.map((action) => action.type)).toEqual(['drop-publisher']);
    expect(first.state.rung).toBe(2); // next: next-input, in the full ladder
    const waiting = decide(['restart', 'drop-publisher', 'next-input', 'notify'], 'backoff', 120 * S, first.state);
    expect(waiting.actions).toEqual([]);
    expect(waiting.reason).toMatch(/drop-publisher to settle/);
    const second = decide(['restart', 'drop-publisher', 'next-input', 'notify'], 'backoff', 171 * S, first.state);
    expect(second.actions.map((action) => action.type)).toEqual(['next-input']);
    expect(second.state.rung).toBe(3);
  });

  it('crash loop: the slow retry still runs when the ladder has nothing to do now, and the crash loop stays marked', () => {
    const dropped = decide(['notify', 'drop-publisher'], 'crashloop', 110 * S, { ...INITIAL_RECOVERY_STATE, crashloopSince: 90 * S });
    expect(dropped.state.crashloopSince).toBe(90 * S);
    const later = decide(['notify', 'drop-publisher'], 'crashloop', 125 * S, dropped.state);
    expect(later.actions.map((action) => action.type)).toEqual([]); // slow retry: 60 s after the last restart (124 s)
    // 60 s after the last restart, before the ladder's cooldown (60 s after the drop at 110 s) is over.
    const retry = decideWithInputSide(config(['notify', 'drop-publisher']), dropped.state, { now: 165 * S, health: 'unhealthy', observed: 'crashloop', fastRestarts: [100 * S] }, FAILURE);
    expect(retry.actions.map((action) => action.type)).toEqual(['restart', 'notify']);
  });

  it('changes nothing without an input-side failure, while running, or for a ladder that can only restart and notify', () => {
    expect(decide(['notify', 'drop-publisher'], 'backoff', 110 * S, INITIAL_RECOVERY_STATE, 'none').reason).toMatch(/fast layer handles it/);
    const running = decideWithInputSide(config(['notify', 'drop-publisher']), INITIAL_RECOVERY_STATE, { now: 110 * S, health: 'unhealthy', observed: 'running', fastRestarts: [109 * S] }, FAILURE);
    expect(running.reason).toMatch(/still settling/);
    expect(decide(['restart', 'notify'], 'backoff', 110 * S).reason).toMatch(/fast layer handles it/);
  });
});

describe('inputSideFailure', () => {
  const check = (name: string, overrides: Partial<CheckState>, informational = false): CheckState => ({
    ...createCheckState({ name, type: 'ffprobe', informational, successThreshold: 1, graceMs: 0 }, 0),
    ...overrides,
  });

  it('names the failing acting checks of the active input, since the earliest', () => {
    const failure = inputSideFailure([
      { state: check('mother', { status: 'failing', failingSince: 7, lastMessage: 'timed out' }), probesActiveInput: true },
      { state: check('dj2', { status: 'failing', failingSince: 3, lastMessage: 'gone' }), probesActiveInput: false },
      { state: check('info', { status: 'failing', failingSince: 1 }, true), probesActiveInput: true },
      { state: check('out', { status: 'failing', failingSince: 2 }), probesActiveInput: false },
    ]);
    expect(failure).toEqual({ summary: 'input check failing: mother: timed out', since: 7 });
    expect(inputSideFailure([{ state: check('mother', { status: 'passing' }), probesActiveInput: true }])).toBeUndefined();
  });
});
