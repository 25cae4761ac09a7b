import { describe, expect, it } from 'vitest';
import type { ExitReason } from '../lifecycle.js';
import type { FailureLocus } from './failure-locus.js';
import {
  activeInputFailed,
  advanceInput,
  createInputFailover,
  onPublisherDropped,
  onRunEnded,
  recordProbe,
  type InputFailoverState,
} from './input-failover.js';

const S = 1_000;

/** Probes input `index` every 3 s over [from, to] seconds with the given outcome. */
function probe(state: InputFailoverState, index: number, from: number, to: number, ok: boolean) {
  let current = state;
  const switches: number[] = [];
  for (let t = from; t <= to; t += 3) {
    const update = recordProbe(current, { index, ok, at: t * S });
    current = update.state;
    if (update.switch) switches.push(update.switch.to);
  }
  return { state: current, switches };
}

describe('priority mode', () => {
  it('fails over to the next input, then returns to the primary after 60 s of health', () => {
    const start = createInputFailover({ inputCount: 2 }, 0);
    const failed = activeInputFailed(start, 10 * S, 'Connection refused');
    expect(failed.switch).toEqual({ from: 0, to: 1, at: 10 * S, reason: 'input 0 failed: Connection refused' });
    const down = probe(failed.state, 0, 13, 40, false).state;
    const upBrief = probe(down, 0, 43, 100, true);
    expect(upBrief.switches).toEqual([]);
    const back = probe(upBrief.state, 0, 103, 103, true);
    expect(back.switches).toEqual([0]);
    expect(back.state).toMatchObject({ active: 0, activeSince: 103 * S, switches: 2 });
    expect(back.state.lastSwitch?.reason).toBe('input 0 healthy again for 60 s');
  });

  it('one failed probe restarts the healthy time of the primary', () => {
    const failed = activeInputFailed(createInputFailover({ inputCount: 2 }, 0), 0, 'gone').state;
    const flap = probe(probe(failed, 0, 3, 48, true).state, 0, 51, 51, false).state;
    expect(probe(flap, 0, 54, 111, true).switches).toEqual([]);
    expect(probe(flap, 0, 54, 114, true).switches).toEqual([0]);
  });

  it('returns to the best healthy input, not just any better one', () => {
    let state = createInputFailover({ inputCount: 3, returnAfterMs: 10 * S }, 0);
    state = activeInputFailed(state, 0, 'a').state;
    state = activeInputFailed(state, 1 * S, 'b').state;
    expect(state.active).toBe(2);
    state = probe(state, 1, 3, 30, true).state;
    expect(state.active).toBe(1);
    expect(probe(state, 0, 33, 45, true).state.active).toBe(0);
  });

  it('a failing fallback moves on, skipping inputs whose probe failed, and wraps around', () => {
    let state = createInputFailover({ inputCount: 3 }, 0);
    state = recordProbe(state, { index: 1, ok: false, at: 0 }).state;
    const update = activeInputFailed(state, 5 * S, 'refused');
    expect(update.switch?.to).toBe(2);
    expect(activeInputFailed(update.state, 6 * S, 'refused').switch?.to).toBe(0);
  });

  it('when every other input failed its probe, still tries the next one', () => {
    let state = createInputFailover({ inputCount: 2 }, 0);
    state = recordProbe(state, { index: 1, ok: false, at: 0 }).state;
    expect(activeInputFailed(state, 1, 'x').switch?.to).toBe(1);
  });

  it('has nothing to switch to with a single input', () => {
    const update = activeInputFailed(createInputFailover({ inputCount: 1 }, 0), 1, 'refused');
    expect(update.switch).toBeUndefined();
    expect(update.note).toBe('input 0 failed: refused; no other input to switch to');
    expect(update.state.probes[0]?.lastOk).toBe(false);
  });

  it('records probes of the active input without failing over on one bad probe', () => {
    const update = recordProbe(createInputFailover({ inputCount: 2 }, 0), { index: 0, ok: false, at: 1 });
    expect(update.switch).toBeUndefined();
    expect(update.state.probes[0]).toEqual({ lastOk: false, lastAt: 1 });
  });

  it('ignores probes of inputs that do not exist', () => {
    expect(recordProbe(createInputFailover({ inputCount: 2 }, 0), { index: 5, ok: true, at: 1 }).note).toBe('no input 5');
  });

  it('a dropped publisher does not move a priority list', () => {
    expect(onPublisherDropped(createInputFailover({ inputCount: 2 }, 0), 1).switch).toBeUndefined();
  });
});

describe('onRunEnded', () => {
  it.each<[ExitReason, FailureLocus, boolean]>([
    ['failed-to-start', 'input', true],
    ['exited', 'input', true],
    ['start-timeout', 'input', true],
    ['failed-to-start', 'output', false],
    ['failed-to-start', 'unknown', false],
    ['killed', 'encoder', false],
    ['stopped', 'input', false],
    ['restarted', 'input', false],
  ])('%s with locus %s switches: %s', (reason, locus, switches) => {
    const update = onRunEnded(createInputFailover({ inputCount: 2 }, 0), { at: 1, reason, locus, message: 'Connection refused' });
    expect(update.switch !== undefined).toBe(switches);
  });
});

describe('rotate mode (the motherstream queue)', () => {
  it('advances on every dropped publisher, wrapping around', () => {
    let state = createInputFailover({ inputCount: 3, mode: 'rotate' }, 0);
    const order: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const update = onPublisherDropped(state, i * S);
      state = update.state;
      order.push(update.switch?.to ?? -1);
    }
    expect(order).toEqual([1, 2, 0, 1]);
    expect(state.lastSwitch?.reason).toBe('publisher dropped: next in the queue');
  });

  it('never switches back on probes', () => {
    const moved = advanceInput(createInputFailover({ inputCount: 2, mode: 'rotate', returnAfterMs: 0 }, 0), 0, 'next-input').state;
    expect(probe(moved, 0, 0, 300, true).switches).toEqual([]);
  });
});

describe('advanceInput', () => {
  it('moves in order even onto an input whose probe failed', () => {
    let state = createInputFailover({ inputCount: 3 }, 0);
    state = recordProbe(state, { index: 1, ok: false, at: 0 }).state;
    expect(advanceInput(state, 1, 'next-input action').switch).toEqual({ from: 0, to: 1, at: 1, reason: 'next-input action' });
  });
});
