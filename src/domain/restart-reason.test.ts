import { describe, expect, it } from 'vitest';
import { EXIT_REASONS } from './lifecycle.js';
import { RESTART_REASONS, restartReasonOf } from './restart-reason.js';

describe('restartReasonOf', () => {
  it('counts a restart the watchdog asked for as watchdog, one someone asked for as restarted', () => {
    expect(restartReasonOf('restarted', 'watchdog')).toBe('watchdog');
    expect(restartReasonOf('restarted', 'request')).toBe('restarted');
    expect(restartReasonOf('restarted', undefined)).toBe('restarted');
  });

  it('keeps every other exit reason, whoever asked', () => {
    for (const reason of EXIT_REASONS.filter((r) => r !== 'restarted')) {
      expect(restartReasonOf(reason, 'watchdog')).toBe(reason);
      expect(restartReasonOf(reason, undefined)).toBe(reason);
    }
  });

  it('lists every exit reason and watchdog, once each', () => {
    expect(new Set(RESTART_REASONS).size).toBe(RESTART_REASONS.length);
    expect(RESTART_REASONS).toEqual([...EXIT_REASONS, 'watchdog']);
  });
});
