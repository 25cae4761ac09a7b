/**
 * What happened, kept in the store across restarts (pruned by retention): every event the API
 * publishes, and the watchdog's recovery records.
 */
import type { EventJournal } from '../events/event-journal.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { EventsRepository, RecoveriesRepository } from '../ports/store.js';
import { recordRecoveries } from '../watchdog/record-recoveries.js';

export interface EventLogOptions {
  readonly journal: EventJournal;
  readonly watchdogEvents: TypedEvents<WatchdogEventMap>;
  /** Read on every event: the store may open late, or be unavailable. */
  readonly store: () => (EventsRepository & RecoveriesRepository) | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function recordEvents({ journal, watchdogEvents, store, clock, logger }: EventLogOptions): void {
  journal.subscribe((event) => {
    store()
      ?.appendEvent({ at: clock.now(), type: event.type, ...(event.streamId === undefined ? {} : { stream: event.streamId }), payload: JSON.parse(event.data) as unknown })
      .catch((error: unknown) => logger.warn({ err: error, type: event.type }, 'could not record an event in the store'));
  });
  recordRecoveries(watchdogEvents, store, logger.child({ component: 'recoveries' }));
}
