import { describe, expect, it } from 'vitest';
import { renewCheck } from './check-renewal.js';
import { createCheckState, recordResult, type CheckJudgement, type CheckState } from './check-state.js';

const S = 1_000;
const judgement: CheckJudgement = { name: 'picture', type: 'content', informational: false, unhealthyAfterMs: 6 * S, successThreshold: 2, graceMs: 10 * S };

function feed(state: CheckState, results: ReadonlyArray<readonly [number, boolean]>): CheckState {
  return results.reduce((s, [at, ok]) => recordResult(s, { ok, at, durationMs: 0, message: ok ? 'ok' : 'frozen' }).state, state);
}

describe('renewCheck: a recovery action keeps what a check found', () => {
  const failing = feed(createCheckState(judgement, 0), [
    [10 * S, false],
    [13 * S, false],
    [16 * S, false],
  ]);

  it('a failing check stays failing, with its streak and a new grace', () => {
    expect(failing.status).toBe('failing');
    const renewed = renewCheck(failing, 20 * S);
    expect(renewed).toMatchObject({ status: 'failing', failingSince: 16 * S, failureStreakSince: 10 * S, graceUntil: 30 * S, consecutiveSuccesses: 0, lastMessage: 'frozen' });
  });

  it('it passes again only after successThreshold successes', () => {
    const renewed = renewCheck(failing, 20 * S);
    const one = recordResult(renewed, { ok: true, at: 22 * S, durationMs: 0, message: 'ok' });
    expect(one.state.status).toBe('failing');
    expect(one.transition).toBeUndefined();
    const two = recordResult(one.state, { ok: true, at: 25 * S, durationMs: 0, message: 'ok' });
    expect(two.transition).toMatchObject({ from: 'failing', to: 'passing' });
  });

  it('failures after the renewal do not trip it again (it is already failing)', () => {
    const renewed = renewCheck(failing, 20 * S);
    const next = recordResult(renewed, { ok: false, at: 23 * S, durationMs: 0, message: 'frozen' });
    expect(next.transition).toBeUndefined();
    expect(next.state.status).toBe('failing');
  });

  it('a check that was passing or unknown starts over in unknown', () => {
    const passing = feed(createCheckState(judgement, 0), [
      [1 * S, true],
      [2 * S, true],
    ]);
    expect(passing.status).toBe('passing');
    expect(renewCheck(passing, 5 * S)).toEqual(createCheckState(judgement, 5 * S));
    expect(renewCheck(createCheckState(judgement, 0), 5 * S)).toEqual(createCheckState(judgement, 5 * S));
  });
});
