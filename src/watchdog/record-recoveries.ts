/**
 * Writes every finished recovery to the store's `recoveries` table, so the history outlives the
 * daemon (the watchdog keeps only the last few per stream in memory; retention prunes the table).
 * The store may be absent (not opened yet, or unavailable): a record is then only logged. A
 * failed write is logged and never reaches the watchdog.
 */
import type { Logger } from '../ports/logger.js';
import type { RecoveriesRepository } from '../ports/store.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';

export function recordRecoveries(
  events: TypedEvents<WatchdogEventMap>,
  store: () => Pick<RecoveriesRepository, 'recordRecovery'> | undefined,
  logger: Logger,
): () => void {
  return events.on('recovery', (event) => {
    if (event.phase !== 'recovered') return;
    const target = store();
    if (target === undefined) {
      logger.warn({ stream: event.streamId }, 'the store is unavailable: this recovery is not kept');
      return;
    }
    target.recordRecovery(event.record).catch((error: unknown) => logger.warn({ err: error, stream: event.streamId }, 'could not record a recovery in the store'));
  });
}
