import { describe, expect, it } from 'vitest';
import type { FailureClassification } from './failure-locus.js';
import { buildRecoveryRecord, type TakenAction } from './recovery-record.js';

const failure: FailureClassification = { locus: 'output', cause: 'check-failed', detail: 'output: Connection refused', evidence: 'check' };
const taken = (type: TakenAction['type'], at: number): TakenAction => ({ type, at, reason: 'r' });

describe('buildRecoveryRecord', () => {
  it('measures detection from the failure and recovery from the detection', () => {
    const record = buildRecoveryRecord({
      stream: 'radio',
      failure,
      failedAt: 3_000,
      detectedAt: 33_000,
      actions: [taken('restart', 33_000), taken('drop-publisher', 93_000), taken('notify', 123_000)],
      recoveredAt: 100_000,
    });
    expect(record).toEqual({
      stream: 'radio',
      cause: 'check-failed',
      locus: 'output',
      detail: 'output: Connection refused',
      action: 'drop-publisher',
      actions: [taken('restart', 33_000), taken('drop-publisher', 93_000), taken('notify', 123_000)],
      failedAt: 3_000,
      detectedAt: 33_000,
      detectedAfterMs: 30_000,
      recoveredAt: 100_000,
      recoveredAfterMs: 67_000,
    });
  });

  it.each<[string, TakenAction[], string]>([
    ['no action', [], 'none'],
    ['only notices', [taken('notify', 1)], 'notify'],
    ['the last fix', [taken('restart', 1), taken('next-input', 2)], 'next-input'],
  ])('action with %s', (_name, actions, expected) => {
    expect(buildRecoveryRecord({ stream: 's', failure, failedAt: 0, detectedAt: 0, actions }).action).toBe(expected);
  });

  it('leaves the recovery unset while not recovered, and never reports negative times', () => {
    const record = buildRecoveryRecord({ stream: 's', failure, failedAt: 50, detectedAt: 10, actions: [] });
    expect(record.detectedAfterMs).toBe(0);
    expect(record.recoveredAt).toBeUndefined();
    expect(record.recoveredAfterMs).toBeUndefined();
  });
});
