import { describe, expect, it } from 'vitest';
import { EMPTY_RESTART_HISTORY, type RestartHistory } from './restart-policy.js';
import { DEFAULT_RESTART_POLICY } from './stream-spec.js';
import { decideCountedRestart } from './uncured-restarts.js';

const P = DEFAULT_RESTART_POLICY; // 5 restarts within 5 min, backoff cap 60 s, reset after 10 min
const MIN = 60_000;

describe('decideCountedRestart: uncured restarts reach the crash-loop regime', () => {
  it('restarts 90 s apart (never 5 within 5 min): 5 are allowed; the 6th failure since the stream was last up for resetAfter is a crash loop', () => {
    let history: RestartHistory = EMPTY_RESTART_HISTORY;
    const outcomes: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const now = 1_000_000 + i * 1.5 * MIN;
      const decision = decideCountedRestart(P, history, { now, runningSince: now - MIN, random: 0.5 });
      outcomes.push(decision.crashloop);
      if (decision.crashloop) expect(decision.delayMs).toBe(P.backoffMaxMs);
      history = decision.history;
    }
    expect(outcomes).toEqual([false, false, false, false, false, true, true]);
  });

  it('a run that stayed up for resetAfter starts over', () => {
    const history: RestartHistory = { recentRestarts: [], consecutiveFailures: 7 };
    const now = 100 * MIN;
    const decision = decideCountedRestart(P, history, { now, runningSince: now - P.resetAfterMs, random: 0.5 });
    expect(decision).toMatchObject({ crashloop: false, delayMs: 0 });
  });

  it('a full budget window is a crash loop as for any restart', () => {
    const now = 100 * MIN;
    const history: RestartHistory = { recentRestarts: [now - 4.5 * MIN, now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN], consecutiveFailures: 1 };
    expect(decideCountedRestart(P, history, { now, runningSince: now - 1_000, random: 0.5 }).crashloop).toBe(true);
  });
});
