/**
 * What one stream's watchdog tells the rest of the daemon: recovery actions as they start
 * (`announce`), and notices for people (`notify`). Everything said is redacted here.
 */
import type { Severity } from '../domain/alerts/message.js';
import type { Redactor } from '../domain/redact.js';
import type { InputSwitch } from '../domain/watchdog/input-failover.js';
import type { Clock } from '../ports/clock.js';
import type { SupervisedStream } from '../ports/supervised-stream.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { NotificationKind, WatchdogActionType, WatchdogEventMap } from '../events/watchdog-events.js';

export class StreamNotices {
  constructor(
    private readonly stream: SupervisedStream,
    private readonly deps: { readonly clock: Clock; readonly redact: Redactor; readonly events: TypedEvents<WatchdogEventMap> },
  ) {}

  announce(action: WatchdogActionType, reason: string, change?: InputSwitch): void {
    this.deps.events.emit('recovery', {
      streamId: this.stream.spec.id,
      phase: 'action',
      action,
      reason: this.deps.redact(reason),
      ...(change !== undefined && { fromInput: change.from, toInput: change.to }),
      at: this.deps.clock.now(),
    });
  }

  notify(kind: NotificationKind, severity: Severity, title: string, text: string): void {
    this.deps.events.emit('notification', {
      streamId: this.stream.spec.id,
      kind,
      severity,
      title: this.deps.redact(title),
      text: this.deps.redact(text),
      notifiers: this.stream.spec.notify,
      at: this.deps.clock.now(),
    });
  }
}
