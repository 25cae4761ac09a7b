import { describe, expect, it } from 'vitest';
import type { FailureClassification } from '../domain/watchdog/failure-locus.js';
import { RECOVERY_HISTORY, RecoveryRecords, type ClassifiedFailure } from './recovery-records.js';

const refused: FailureClassification = { locus: 'input', cause: 'connection-refused', detail: 'Connection refused', evidence: 'log' };
const later: FailureClassification = { locus: 'output', cause: 'check-failed', detail: 'ffprobe: no stream', evidence: 'check' };
const restart = (at: number) => ({ type: 'restart' as const, at, reason: 'unhealthy' });

function setup() {
  const fallbacks: number[] = [];
  const records = new RecoveryRecords('cam', (at): ClassifiedFailure => {
    fallbacks.push(at);
    return { classification: later, failedAt: at };
  });
  return { records, fallbacks };
}

describe('RecoveryRecords', () => {
  it('keeps the failure captured when the watchdog first acted, not what is known when the stream recovers', () => {
    const { records, fallbacks } = setup();
    const episode = { startedAt: 1_000, actions: [restart(1_000)] };
    records.capture(episode, () => ({ classification: refused, failedAt: 400 }));
    // A second batch of actions in the same episode does not re-classify.
    records.capture({ ...episode, actions: [restart(1_000), restart(5_000)] }, () => ({ classification: later, failedAt: 4_000 }));
    const record = records.close({ ...episode, actions: [restart(1_000), restart(5_000)], recoveredAt: 9_000 });
    expect(record).toMatchObject({ stream: 'cam', cause: 'connection-refused', locus: 'input', failedAt: 400, detectedAt: 1_000, recoveredAt: 9_000, action: 'restart' });
    expect(fallbacks).toEqual([]);
  });

  it('lists the episode in progress first, then the closed ones newest first; a missed capture is classified late', () => {
    const { records, fallbacks } = setup();
    records.capture({ startedAt: 100, actions: [] }, () => ({ classification: refused, failedAt: 100 }));
    records.close({ startedAt: 100, actions: [restart(100)], recoveredAt: 200 });
    records.close({ startedAt: 300, actions: [restart(300)], recoveredAt: 400 });
    expect(fallbacks).toEqual([300]);
    const list = records.list({ startedAt: 500, actions: [restart(500)] }, 600);
    expect(list.map((r) => [r.detectedAt, r.recoveredAt])).toEqual([
      [500, undefined],
      [300, 400],
      [100, 200],
    ]);
    expect(records.list({ startedAt: 700, actions: [] }, 800)).toHaveLength(2);
    expect(records.list(undefined, 800)).toHaveLength(2);
  });

  it('forgets a captured failure (a restart someone asked for) and keeps the last RECOVERY_HISTORY records', () => {
    const { records, fallbacks } = setup();
    records.capture({ startedAt: 10, actions: [] }, () => ({ classification: refused, failedAt: 10 }));
    records.forget();
    expect(records.close({ startedAt: 10, actions: [restart(10)], recoveredAt: 20 }).cause).toBe('check-failed');
    expect(fallbacks).toEqual([10]);
    for (let i = 1; i <= RECOVERY_HISTORY + 5; i++) records.close({ startedAt: i * 100, actions: [restart(i * 100)], recoveredAt: i * 100 + 50 });
    const list = records.list(undefined, 0);
    expect(list).toHaveLength(RECOVERY_HISTORY);
    expect(list[0]?.detectedAt).toBe((RECOVERY_HISTORY + 5) * 100);
  });
});
