import { describe, expect, it } from 'vitest';
import type { FailureClassification } from '../domain/watchdog/failure-locus.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { RunFinished } from '../events/stream-events.js';
import { FastRecoveries } from './fast-recoveries.js';

const crashed: FailureClassification = { locus: 'encoder', cause: 'crashed', detail: 'killed by SIGKILL', evidence: 'exit' };

function run(overrides: Partial<RunFinished>): RunFinished {
  return {
    streamId: 'cam',
    runId: 1,
    pid: 100,
    reason: 'killed',
    exitCode: null,
    signal: 'SIGKILL',
    lastError: undefined,
    durationMs: 5_000,
    next: 'starting',
    restartDelayMs: 0,
    countsAsRestart: true,
    at: 10_000,
    ...overrides,
  } as RunFinished;
}

describe('FastRecoveries', () => {
  it('records an automatic restart once the stream is healthy again, and nothing for a crash loop or a requested restart', () => {
    const records: RecoveryRecord[] = [];
    const fast = new FastRecoveries({ streamId: 'cam', stallTimeoutMs: 10_000, record: (record) => records.push(record) });
    fast.healthy(9_000); // nothing open
    fast.runFinished(run({ reason: 'restarted', countsAsRestart: false }), crashed);
    fast.runFinished(run({ next: 'crashloop' }), crashed);
    fast.healthy(11_000);
    expect(records).toEqual([]);

    fast.runFinished(run({ at: 20_000 }), crashed);
    fast.runFinished(run({ at: 21_000, next: 'backoff', restartDelayMs: 1_000 }), crashed);
    fast.healthy(24_000);
    fast.healthy(25_000);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ stream: 'cam', cause: 'crashed', locus: 'encoder', action: 'restart', detectedAt: 20_000, recoveredAt: 24_000 });
    expect(records[0]?.actions.map((a) => a.reason)).toEqual([
      'fast layer: run killed (killed by SIGKILL); restarted at once',
      'fast layer: run killed (killed by SIGKILL); restarted after 1000 ms',
    ]);
  });
});
