import { describe, expect, it } from 'vitest';
import { conditionActive, conditionCleared, DEFAULT_ALERT_TIMINGS, tickAlert, type AlertTimings, type ConditionReport } from './alert-machine.js';

const T0 = 1_700_000_000_000;
const report: ConditionReport = { condition: 'unhealthy', stream: 'cam1', severity: 'critical', title: 'cam1 is unhealthy', what: 'output: I/O error' };
const held: AlertTimings = { ...DEFAULT_ALERT_TIMINGS, forMs: 30_000 };

describe('alert machine', () => {
  it('fires at once when forMs is 0, with a reminder due an hour later (critical)', () => {
    const step = conditionActive(undefined, report, T0, false, DEFAULT_ALERT_TIMINGS);
    expect(step.record.phase).toBe('firing');
    expect(step.notice).toMatchObject({ key: 'unhealthy:cam1', status: 'firing', severity: 'critical', since: T0 });
    expect(step.wakeAt).toBe(T0 + 3_600_000);
  });

  it('waits until the condition has held for forMs, then fires once', () => {
    const pending = conditionActive(undefined, report, T0, false, held);
    expect(pending.record.phase).toBe('pending');
    expect(pending.notice).toBeUndefined();
    expect(pending.wakeAt).toBe(T0 + 30_000);
    const again = conditionActive(pending.record, report, T0 + 10_000, false, held);
    expect(again.notice).toBeUndefined();
    const fired = tickAlert(again.record, T0 + 30_000, false, held);
    expect(fired.notice?.status).toBe('firing');
    expect(fired.notice?.since).toBe(T0);
    const repeat = conditionActive(fired.record, report, T0 + 31_000, false, held);
    expect(repeat.notice).toBeUndefined();
  });

  it('a condition that clears before forMs sends nothing at all', () => {
    const pending = conditionActive(undefined, report, T0, false, held);
    const cleared = conditionCleared(pending.record, T0 + 5_000, false, held);
    expect(cleared?.record.phase).toBe('resolved');
    expect(cleared?.notice).toBeUndefined();
  });

  it('resolves a fired alert with a notice carrying start and end', () => {
    const fired = conditionActive(undefined, report, T0, false, DEFAULT_ALERT_TIMINGS);
    const resolved = conditionCleared(fired.record, T0 + 60_000, false, DEFAULT_ALERT_TIMINGS);
    expect(resolved?.notice).toMatchObject({ status: 'resolved', since: T0, endedAt: T0 + 60_000 });
    expect(conditionCleared(resolved?.record, T0 + 61_000, false, DEFAULT_ALERT_TIMINGS)).toBeUndefined();
    expect(conditionCleared(fired.record, T0 + 1, false, { ...DEFAULT_ALERT_TIMINGS, sendResolved: false })?.notice).toBeUndefined();
  });

  it.each([
    ['critical', 3_600_000],
    ['warning', 4 * 3_600_000],
  ] as const)('reminds while a %s alert fires, every %i ms', (severity, every) => {
    let step = conditionActive(undefined, { ...report, severity }, T0, false, DEFAULT_ALERT_TIMINGS);
    expect(tickAlert(step.record, T0 + every - 1, false, DEFAULT_ALERT_TIMINGS).notice).toBeUndefined();
    step = tickAlert(step.record, T0 + every, false, DEFAULT_ALERT_TIMINGS);
    expect(step.notice).toMatchObject({ status: 'firing', reminder: true });
    expect(step.wakeAt).toBe(T0 + 2 * every);
  });

  it('no reminders for info', () => {
    const step = conditionActive(undefined, { ...report, severity: 'info' }, T0, false, DEFAULT_ALERT_TIMINGS);
    expect(step.wakeAt).toBeUndefined();
  });

  it('muted: fires unseen, is sent once the window ends, and an unseen alert resolves silently', () => {
    const muted = conditionActive(undefined, report, T0, true, DEFAULT_ALERT_TIMINGS);
    expect(muted.record).toMatchObject({ phase: 'firing', notified: false });
    expect(muted.notice).toBeUndefined();
    expect(conditionCleared(muted.record, T0 + 1_000, false, DEFAULT_ALERT_TIMINGS)?.notice).toBeUndefined();
    const later = tickAlert(muted.record, T0 + 120_000, false, DEFAULT_ALERT_TIMINGS);
    expect(later.notice).toMatchObject({ status: 'firing' });
    expect(later.notice?.reminder).toBeUndefined();
  });

  it('keeps the last error and action when a later report has none', () => {
    const first = conditionActive(undefined, { ...report, lastError: 'E1', action: 'restart' }, T0, false, DEFAULT_ALERT_TIMINGS);
    const second = conditionActive(first.record, { ...report, severity: 'critical' }, T0 + 1, false, DEFAULT_ALERT_TIMINGS);
    expect(second.record).toMatchObject({ lastError: 'E1', action: 'restart' });
  });
});
