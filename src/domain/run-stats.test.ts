import { describe, expect, it } from 'vitest';
import type { RunEnded } from './lifecycle.js';
import { countHealth, countRunEnded, EMPTY_RUN_STATS, recoveryStats, restartsFor } from './run-stats.js';

const end = { code: 1, signal: null };
const crash: RunEnded = { reason: 'exited', end, next: 'backoff', restartDelayMs: 1_000, countsAsRestart: true };
const stop: RunEnded = { reason: 'stopped', end, next: 'stopped', countsAsRestart: false };
const requested: RunEnded = { reason: 'restarted', end, next: 'starting', restartDelayMs: 0, countsAsRestart: false };
const watchdogFix: RunEnded = { reason: 'restarted', end, next: 'backoff', restartDelayMs: 1_000, countsAsRestart: true };

describe('run stats', () => {
  it('counts restarts by reason; a stop is no restart', () => {
    let s = countRunEnded(EMPTY_RUN_STATS, crash, 'exited', 10);
    s = countRunEnded(s, stop, 'stopped', 20);
    s = countRunEnded(s, watchdogFix, 'watchdog', 30);
    s = countRunEnded(s, requested, 'restarted', 40);
    expect(s.restarts).toBe(3);
    expect([restartsFor(s, 'exited'), restartsFor(s, 'watchdog'), restartsFor(s, 'restarted'), restartsFor(s, 'stopped')]).toEqual([1, 1, 1, 0]);
    expect(restartsFor(EMPTY_RUN_STATS, 'exited')).toBe(0);
  });

  it("records only the fast layer's own recoveries (not requested or watchdog restarts)", () => {
    let s = countRunEnded(EMPTY_RUN_STATS, crash, 'exited', 10);
    s = countRunEnded(s, watchdogFix, 'watchdog', 20);
    s = countRunEnded(s, requested, 'restarted', 30);
    expect(s).toMatchObject({ recoveries: 1, recoveriesSinceHealthy: 1, lastRecoveryAt: 10 });
  });

  it('health: healthy clears the unhealthy streak; leaving healthy stamps lastHealthyAt', () => {
    let s = countRunEnded(countRunEnded(EMPTY_RUN_STATS, crash, 'exited', 10), crash, 'exited', 20);
    expect(recoveryStats(s, 'unhealthy', 25)).toEqual({ consecutiveUnhealthy: 2, lastHealthyAt: undefined, lastRecoveryAt: 20, recoveries: 2 });
    s = countHealth(s, 'unknown', 'healthy', 30);
    expect(recoveryStats(s, 'healthy', 35)).toEqual({ consecutiveUnhealthy: 0, lastHealthyAt: 35, lastRecoveryAt: 20, recoveries: 2 });
    s = countHealth(s, 'healthy', 'unhealthy', 40);
    s = countHealth(s, 'unhealthy', 'unhealthy', 50);
    expect(recoveryStats(countRunEnded(s, crash, 'exited', 60), 'unhealthy', 70)).toEqual({ consecutiveUnhealthy: 1, lastHealthyAt: 40, lastRecoveryAt: 60, recoveries: 3 });
  });

  it('never changes the value it is given', () => {
    const s = countRunEnded(EMPTY_RUN_STATS, crash, 'exited', 10);
    countRunEnded(s, crash, 'exited', 20);
    countHealth(s, 'healthy', 'degraded', 30);
    expect(s).toMatchObject({ restarts: 1, recoveries: 1, lastHealthyAt: undefined });
    expect(EMPTY_RUN_STATS.restartsByReason.size).toBe(0);
  });
});
