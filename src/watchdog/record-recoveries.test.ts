import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import type { RecoveryRecord } from '../domain/watchdog/recovery-record.js';
import type { Logger } from '../ports/logger.js';
import { TypedEvents } from '../events/typed-events.js';
import { recordRecoveries } from './record-recoveries.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';

const record: RecoveryRecord = {
  stream: 'radio',
  cause: 'stalled',
  locus: 'encoder',
  detail: 'no progress for 10 s',
  action: 'restart',
  actions: [{ type: 'restart', at: 2_000, reason: 'check progress failing' }],
  failedAt: 1_000,
  detectedAt: 2_000,
  detectedAfterMs: 1_000,
  recoveredAt: 5_000,
  recoveredAfterMs: 3_000,
};

function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { ...silentLogger, warn: (_obj, msg) => lines.push(msg ?? '') } };
}

describe('recordRecoveries', () => {
  it('stores each finished recovery, not the actions on the way', () => {
    const events = new TypedEvents<WatchdogEventMap>();
    const stored: RecoveryRecord[] = [];
    const store = { recordRecovery: (r: RecoveryRecord) => (stored.push(r), Promise.resolve(stored.length)) };
    const stop = recordRecoveries(events, () => store, silentLogger);
    events.emit('recovery', { streamId: 'radio', phase: 'action', action: 'restart', reason: 'stalled', at: 2_000 });
    events.emit('recovery', { streamId: 'radio', phase: 'recovered', record, at: 5_000 });
    expect(stored).toEqual([record]);
    stop();
    events.emit('recovery', { streamId: 'radio', phase: 'recovered', record, at: 6_000 });
    expect(stored).toHaveLength(1);
  });

  it('logs, and goes on, when the store is absent or refuses the write', async () => {
    const events = new TypedEvents<WatchdogEventMap>();
    const { logger, lines } = warnings();
    const opened: { store?: { recordRecovery: () => Promise<number> } } = {};
    recordRecoveries(events, () => opened.store, logger);
    events.emit('recovery', { streamId: 'radio', phase: 'recovered', record, at: 5_000 });
    opened.store = { recordRecovery: () => Promise.reject(new Error('SQLITE_READONLY')) };
    events.emit('recovery', { streamId: 'radio', phase: 'recovered', record, at: 6_000 });
    await Promise.resolve();
    await Promise.resolve();
    expect(lines).toEqual(['the store is unavailable: this recovery is not kept', 'could not record a recovery in the store']);
  });
});
