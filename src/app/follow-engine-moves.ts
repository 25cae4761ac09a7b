/**
 * A stream moved to another engine: one `recovery` event on the API's event stream (and so in
 * the store's event log), and one `input-switched` notice for the stream's notifiers.
 */
import type { EventJournal } from '../events/event-journal.js';
import type { AlertManager } from '../notify/alert-manager.js';
import type { StreamEngineBinding } from '../engines/stream-engine-binding.js';

export function followEngineMoves(
  binding: StreamEngineBinding,
  journal: EventJournal,
  alerts: () => AlertManager | undefined,
  streamName: (id: string) => string,
): () => void {
  return binding.events.on('engine-moved', (e) => {
    journal.publish('recovery', e.streamId, {
      layer: 'engine',
      phase: 'action',
      action: 'engine-switch',
      reason: e.reason,
      ...(e.from !== undefined && { fromEngine: e.from }),
      toEngine: e.to,
      at: new Date(e.at).toISOString(),
    });
    const title = `${streamName(e.streamId)} moved ${e.from === undefined ? '' : `from engine ${e.from} `}to engine ${e.to}`;
    // The alert manager logs its own failures; a notice is never worth an unhandled rejection.
    alerts()?.event({ kind: 'input-switched', stream: e.streamId, severity: 'warning', title, what: e.reason }).catch(() => undefined);
  });
}
