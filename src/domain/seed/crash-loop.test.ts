import { describe, expect, it } from 'vitest';
import { inCrashLoop, type CrashLoopInput } from './crash-loop.js';

const NOW = 1_000_000;
const base: CrashLoopInput = { desired: 'running', observed: 'crashloop', recentRestarts: [], budget: { restarts: 3, withinMs: 60_000 }, now: NOW };

describe('inCrashLoop', () => {
  it.each<[string, Partial<CrashLoopInput>, boolean]>([
    ['in crashloop, wanted running', {}, true],
    ['in crashloop, wanted stopped', { desired: 'stopped' }, false],
    ['running again after a crash loop', { observed: 'running', recentRestarts: [NOW - 3, NOW - 2, NOW - 1] }, false],
    ['retrying (starting) with the budget spent', { observed: 'starting', recentRestarts: [NOW - 3_000, NOW - 2_000, NOW - 1_000] }, true],
    ['waiting (backoff) with the budget spent', { observed: 'backoff', recentRestarts: [NOW - 3_000, NOW - 2_000, NOW - 1_000] }, true],
    ['starting with restarts left in the budget', { observed: 'starting', recentRestarts: [NOW - 2_000, NOW - 1_000] }, false],
    ['starting, older restarts fell out of the window', { observed: 'starting', recentRestarts: [NOW - 70_000, NOW - 65_000, NOW - 1_000] }, false],
    ['stopping', { observed: 'stopping', recentRestarts: [NOW - 3, NOW - 2, NOW - 1] }, false],
    ['stopped', { observed: 'stopped' }, false],
    ['a budget of 0 restarts: any restart in the window counts', { observed: 'starting', budget: { restarts: 0, withinMs: 60_000 }, recentRestarts: [NOW - 1] }, true],
  ])('%s', (_name, overrides, expected) => {
    expect(inCrashLoop({ ...base, ...overrides })).toBe(expected);
  });
});
