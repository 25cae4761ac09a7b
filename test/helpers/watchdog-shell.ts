/**
 * What the watchdog shell tests (src/watchdog/watchdog-*.test.ts) share: one harness per test,
 * closed after it, and short readings of what the harness recorded.
 */
import { afterEach } from 'vitest';
import { watchdogHarness, type WatchdogHarness } from './watchdog-harness.js';

export const S = 1_000;

/** A `harness(...)` for the tests of this file: each test's harness is closed after it. */
export function harnessPerTest(): (...args: Parameters<typeof watchdogHarness>) => WatchdogHarness {
  let h: WatchdogHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  return (...args) => {
    h = watchdogHarness(...args);
    return h;
  };
}

export const healthLog = (x: WatchdogHarness, stream = 'cam') => x.health.filter((e) => e.streamId === stream).map((e) => `${e.from}→${e.to}`);
export const actions = (x: WatchdogHarness) => x.recoveries.flatMap((e) => (e.phase === 'action' ? [e.action] : []));
export const since = (x: WatchdogHarness, start: number) => (x.clock.now() - start) / S;

/** A process check of the CPU: one failure (above 90 % for 30 s) trips it. */
export const CPU_CHECK = {
  type: 'process' as const,
  name: 'cpu',
  intervalMs: 5 * S,
  timeoutMs: 2 * S,
  informational: false,
  failureThreshold: 1,
  successThreshold: 1,
  settings: { maxCpuPercent: 90, forMs: 30 * S },
};
