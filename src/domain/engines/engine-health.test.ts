import { describe, expect, it } from 'vitest';
import { createEngineHealth, recordPoll, type EngineHealthConfig, type EngineHealthState, type PollOutcome } from './engine-health.js';

const config: EngineHealthConfig = { failureThreshold: 2, successThreshold: 2, graceMs: 60_000, unparsableThreshold: 3 };
const T0 = 1_000_000;

type Step = 'ok' | 'failed' | 'unparsable';

/** Plays `steps`, one every 30 s starting `startAfterMs` after creation; returns the statuses after each. */
function play(steps: readonly Step[], startAfterMs = 60_000, cfg: EngineHealthConfig = config): { statuses: string[]; state: EngineHealthState } {
  let state = createEngineHealth(cfg, T0);
  const statuses: string[] = [];
  steps.forEach((kind, i) => {
    const outcome: PollOutcome = { kind, at: T0 + startAfterMs + i * 30_000, durationMs: 5, message: `${kind} #${i}` };
    state = recordPoll(cfg, state, outcome).state;
    statuses.push(state.status);
  });
  return { statuses, state };
}

describe('engine health judgement', () => {
  it.each<[string, Step[], string[]]>([
    ['first success makes an unknown engine healthy', ['ok'], ['healthy']],
    ['N=2 failures make it unhealthy', ['ok', 'failed', 'failed'], ['healthy', 'healthy', 'unhealthy']],
    ['one failure between successes is tolerated', ['ok', 'failed', 'ok', 'failed'], ['healthy', 'healthy', 'healthy', 'healthy']],
    ['M=2 successes bring it back', ['failed', 'failed', 'ok', 'ok'], ['unknown', 'unhealthy', 'unhealthy', 'healthy']],
    ['a failure resets the success streak', ['failed', 'failed', 'ok', 'failed', 'ok', 'ok'], ['unknown', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']],
    ['garbage is degraded at once, from healthy', ['ok', 'unparsable'], ['healthy', 'degraded']],
    ['garbage is degraded from unknown', ['unparsable'], ['degraded']],
    ['degraded needs M successes', ['unparsable', 'ok', 'ok'], ['degraded', 'degraded', 'healthy']],
    ['degraded then N failures is unhealthy', ['unparsable', 'failed', 'failed'], ['degraded', 'degraded', 'unhealthy']],
    ['garbage breaks a failure streak', ['ok', 'failed', 'unparsable', 'failed'], ['healthy', 'healthy', 'degraded', 'degraded']],
    ['an unhealthy engine that answers garbage is degraded', ['failed', 'failed', 'unparsable'], ['unknown', 'unhealthy', 'degraded']],
    ['garbage forever: unhealthy after G=3 answers in a row, and it stays so', ['ok', 'unparsable', 'unparsable', 'unparsable', 'unparsable'], ['healthy', 'degraded', 'degraded', 'unhealthy', 'unhealthy']],
    ['a failure breaks the garbage streak', ['unparsable', 'unparsable', 'failed', 'unparsable', 'unparsable'], ['degraded', 'degraded', 'degraded', 'degraded', 'degraded']],
    ['back from garbage with M successes', ['unparsable', 'unparsable', 'unparsable', 'ok', 'ok'], ['degraded', 'degraded', 'unhealthy', 'unhealthy', 'healthy']],
  ])('%s', (_name, steps, expected) => {
    expect(play(steps).statuses).toEqual(expected);
  });

  it('names the garbage bound in the transition', () => {
    let state = createEngineHealth(config, T0);
    const reasons: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const update = recordPoll(config, state, { kind: 'unparsable', at: T0 + i * 30_000, durationMs: 5, message: 'status is not JSON' });
      state = update.state;
      if (update.transition) reasons.push(`${update.transition.to}: ${update.transition.reason}`);
    }
    expect(reasons).toEqual(['degraded: unparsable answer: status is not JSON', 'unhealthy: 3 unparsable answers in a row: status is not JSON']);
  });

  it('does not count failures during the start grace', () => {
    // Polls at 0 s, 30 s (inside the 60 s grace), 60 s, 90 s.
    expect(play(['failed', 'failed', 'failed', 'failed'], 0).statuses).toEqual(['unknown', 'unknown', 'unknown', 'unhealthy']);
  });

  it('records the last error, the check time and the failure count', () => {
    const { state } = play(['ok', 'failed']);
    expect(state.lastError).toBe('failed #1');
    expect(state.lastCheckAt).toBe(T0 + 60_000 + 30_000);
    expect(state.consecutiveFailures).toBe(1);
    expect(state.lastOk).toBe(false);
  });

  it('reports the transition with a reason', () => {
    const state = createEngineHealth(config, T0);
    const update = recordPoll({ ...config, graceMs: 0 }, state, { kind: 'failed', at: T0 + 61_000, durationMs: 5_000, message: 'timed out after 5 s' });
    expect(update.transition).toBeUndefined();
    const second = recordPoll(config, update.state, { kind: 'failed', at: T0 + 91_000, durationMs: 5_000, message: 'timed out after 5 s' });
    expect(second.transition).toEqual({ from: 'unknown', to: 'unhealthy', at: T0 + 91_000, reason: '2 consecutive failed polls: timed out after 5 s' });
  });

  it('N=1 and M=1 flip on every poll', () => {
    const cfg = { failureThreshold: 1, successThreshold: 1, graceMs: 0, unparsableThreshold: 3 };
    expect(play(['failed', 'ok', 'failed', 'ok'], 0, cfg).statuses).toEqual(['unhealthy', 'healthy', 'unhealthy', 'healthy']);
  });

  it('a clock stepping back does not move the last check back', () => {
    let state = createEngineHealth(config, T0);
    state = recordPoll(config, state, { kind: 'ok', at: T0 + 100_000, durationMs: 1, message: 'ok' }).state;
    state = recordPoll(config, state, { kind: 'ok', at: T0 + 50_000, durationMs: 1, message: 'ok' }).state;
    expect(state.lastCheckAt).toBe(T0 + 100_000);
  });
});
