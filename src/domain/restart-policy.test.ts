import { describe, expect, it } from 'vitest';
import { applyJitter, backoffDelay, crashloopRetryDelay, decideRestart, EMPTY_RESTART_HISTORY, type RestartHistory } from './restart-policy.js';
import { DEFAULT_RESTART_POLICY as P } from './stream-spec.js';

const MIN = 60_000;

describe('backoffDelay', () => {
  it.each([
    [0, 0],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
  ])('after %i failures waits %i ms', (failures, expected) => {
    expect(backoffDelay(P, failures)).toBe(expected);
  });
});

describe('applyJitter', () => {
  it.each([
    [10_000, 0, 8_000],
    [10_000, 0.5, 10_000],
    [10_000, 0.999999, 12_000],
    [0, 0.9, 0],
  ])('%i ms with random %f gives %i ms', (delay, random, expected) => {
    expect(applyJitter(delay, 0.2, random)).toBe(expected);
  });

  it('stays within ±20 % over the whole random range', () => {
    for (let i = 0; i < 1_000; i++) {
      const value = applyJitter(60_000, 0.2, i / 1_000);
      expect(value).toBeGreaterThanOrEqual(48_000);
      expect(value).toBeLessThanOrEqual(72_000);
    }
  });
});

/** Replays failures at the given times (runs never became healthy) and returns every decision. */
function replay(times: number[], random = 0.5) {
  let history: RestartHistory = EMPTY_RESTART_HISTORY;
  return times.map((now) => {
    const decision = decideRestart(P, history, { now, runningSince: undefined, random });
    history = decision.history;
    return decision;
  });
}

describe('decideRestart', () => {
  it('restarts at once, then 1 s doubling; 5 restarts within 5 min are allowed, the 6th failure enters crashloop', () => {
    const decisions = replay([0, 100, 1_200, 3_300, 7_400, 15_500, 16_000]);
    expect(decisions.map((d) => d.delayMs)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
    expect(decisions.map((d) => d.crashloop)).toEqual([false, false, false, false, false, true, true]);
    expect(decisions.map((d) => d.restartsInWindow)).toEqual([1, 2, 3, 4, 5, 6, 6]);
  });

  it.each([1, 2, 3, 5, 10])('a budget of %i restarts allows exactly that many, the next failure is a crash loop', (restarts) => {
    const policy = { ...P, budget: { restarts, withinMs: 10 * MIN } };
    let history: RestartHistory = EMPTY_RESTART_HISTORY;
    const crashloops: boolean[] = [];
    for (let i = 0; i < restarts + 3; i++) {
      const d = decideRestart(policy, history, { now: i * 1_000, runningSince: undefined, random: 0.5 });
      history = d.history;
      crashloops.push(d.crashloop);
    }
    expect(crashloops.indexOf(true)).toBe(restarts);
    expect(crashloops.slice(restarts).every(Boolean)).toBe(true);
  });

  it('leaves crashloop once the window no longer holds the budget', () => {
    const decisions = replay([0, 1_000, 2_000, 3_000, 4_000, 5_000, 5_000 + 6 * MIN]);
    expect(decisions[5]?.crashloop).toBe(true);
    expect(decisions[6]?.crashloop).toBe(false);
    expect(decisions[6]?.restartsInWindow).toBe(1);
  });

  it('keeps backing off (capped) for failures spread wider than the budget window', () => {
    const decisions = replay(Array.from({ length: 12 }, (_, i) => i * 2 * MIN));
    expect(decisions.every((d) => !d.crashloop)).toBe(true);
    expect(decisions.at(-1)?.delayMs).toBe(60_000);
  });

  it('resets the sequence after a run that stayed up 10 minutes', () => {
    const history: RestartHistory = { recentRestarts: [], consecutiveFailures: 6 };
    const healthy = decideRestart(P, history, { now: 20 * MIN, runningSince: 10 * MIN, random: 0.5 });
    const brief = decideRestart(P, history, { now: 20 * MIN, runningSince: 11 * MIN, random: 0.5 });
    expect(healthy.delayMs).toBe(0);
    expect(healthy.history.consecutiveFailures).toBe(1);
    expect(brief.delayMs).toBe(32_000);
  });

  it('jitters the crashloop delay around the cap', () => {
    const decisions = replay([0, 1, 2, 3, 4, 5], 0);
    expect(decisions[5]?.delayMs).toBe(48_000);
  });

  it('keeps a bounded history however many restarts happen', () => {
    const decisions = replay(Array.from({ length: 10_000 }, (_, i) => i * 1_000));
    expect(decisions.at(-1)?.history.recentRestarts.length).toBeLessThanOrEqual(P.budget.restarts);
  });

  it('honours a custom budget', () => {
    const policy = { ...P, budget: { restarts: 10, withinMs: 10 * MIN } };
    let history: RestartHistory = EMPTY_RESTART_HISTORY;
    const crashloops: boolean[] = [];
    for (let i = 0; i < 11; i++) {
      const d = decideRestart(policy, history, { now: i * 1_000, runningSince: undefined, random: 0.5 });
      history = d.history;
      crashloops.push(d.crashloop);
    }
    expect(crashloops.indexOf(true)).toBe(10);
  });
});

describe('crashloopRetryDelay', () => {
  it('is the crash-loop delay while the fast layer retries, twice it as the backstop when delegated', () => {
    expect(crashloopRetryDelay(60_000, false)).toBe(60_000);
    expect(crashloopRetryDelay(60_000, true)).toBe(120_000);
  });
});
