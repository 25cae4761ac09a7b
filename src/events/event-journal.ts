/**
 * The recent events the API publishes over Server-Sent Events: a bounded ring with ids that only
 * grow, so a client that reconnects with `Last-Event-ID` gets what it missed (or is told that it
 * missed too much and must re-read the state).
 *
 * Ids start at the daemon's start time in microseconds and count up by one, so the ids of a new
 * daemon run are above those of the previous one: a client resuming across a daemon restart is
 * told to resync instead of receiving unrelated events under ids it has already seen.
 *
 * Event data is serialised once, when the event is published, and passed through the redactor:
 * whatever reaches a client has been masked, even if a producer forgot to.
 */
import type { Redactor } from '../domain/redact.js';
import type { Clock } from '../ports/clock.js';
import type { StreamEventMap } from './stream-events.js';
import type { TypedEvents } from './typed-events.js';
import type { WatchdogEventMap } from './watchdog-events.js';

/** The event types a client can receive (DESIGN.md §4.3). */
export type ApiEventType = 'state' | 'health' | 'recovery' | 'notification';

export interface ApiEvent {
  readonly id: number;
  readonly type: ApiEventType;
  /** The stream the event is about, when it is about one. */
  readonly streamId: string | undefined;
  /** One line of JSON, already redacted. */
  readonly data: string;
}

export interface ReplayResult {
  readonly events: readonly ApiEvent[];
  /** False when events after `lastId` were already dropped from the ring (or `lastId` is unknown). */
  readonly complete: boolean;
}

export interface EventJournalOptions {
  readonly clock: Clock;
  readonly redact: Redactor;
  /** Events kept for replay. Default 1,000. */
  readonly capacity?: number;
  /** Called when a subscriber throws; the others still get the event. */
  readonly onListenerError?: (error: unknown) => void;
}

type Subscriber = (event: ApiEvent) => void;

const DEFAULT_CAPACITY = 1_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export class EventJournal {
  private readonly capacity: number;
  private readonly ring: ApiEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private nextId: number;

  constructor(private readonly options: EventJournalOptions) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.nextId = Math.max(1, Math.floor(options.clock.now()) * 1_000);
  }

  /** The id of the newest event, or the one before the first id when nothing was published yet. */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Records an event and hands it to every subscriber. */
  publish(type: ApiEventType, streamId: string | undefined, payload: Readonly<Record<string, unknown>>): ApiEvent {
    const event: ApiEvent = {
      id: this.nextId++,
      type,
      streamId,
      data: this.options.redact(JSON.stringify({ type, ...(streamId !== undefined && { streamId }), ...payload })),
    };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber(event);
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
    return event;
  }

  /** Events with an id above `lastId`, oldest first. */
  since(lastId: number): ReplayResult {
    const events = this.ring.filter((event) => event.id > lastId);
    const oldest = this.ring[0]?.id ?? this.nextId;
    const complete = lastId <= this.lastId && lastId >= oldest - 1;
    return { events, complete };
  }

  /** The last `count` events that pass `wanted`, oldest first (what a page opening now shows as "recent"). */
  recent(count: number, wanted: (event: ApiEvent) => boolean = () => true): ApiEvent[] {
    const picked: ApiEvent[] = [];
    for (let i = this.ring.length - 1; i >= 0 && picked.length < count; i--) {
      const event = this.ring[i];
      if (event !== undefined && wanted(event)) picked.push(event);
    }
    return picked.reverse();
  }

  /** Registers a subscriber for new events; returns the function that removes it. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Publishes the supervisor's events: every state and health change, and a `recovery` event
   * for every automatic restart (a stop or a restart someone asked for is not a recovery).
   */
  follow(events: TypedEvents<StreamEventMap>): () => void {
    const off = [
      events.on('state', (e) => {
        this.publish('state', e.streamId, { from: e.from, to: e.to, desired: e.desired, at: iso(e.at) });
      }),
      events.on('health', (e) => {
        this.publish('health', e.streamId, { from: e.from, to: e.to, state: e.state, reason: e.reason, at: iso(e.at) });
      }),
      events.on('run-finished', (e) => {
        if (!e.countsAsRestart) return;
        this.publish('recovery', e.streamId, {
          action: 'restart',
          runId: e.runId,
          reason: e.reason,
          exitCode: e.exitCode,
          signal: e.signal,
          lastError: e.lastError ?? null,
          next: e.next,
          delaySeconds: e.restartDelayMs === undefined ? null : e.restartDelayMs / 1_000,
          restartsInWindow: e.restartsInWindow ?? null,
          at: iso(e.at),
        });
      }),
    ];
    return () => {
      for (const remove of off) remove();
    };
  }

  /**
   * Publishes the watchdog's events: a `recovery` event (`layer: watchdog`) for each action it
   * takes and each recovery it records, and every `notification`.
   */
  followWatchdog(events: TypedEvents<WatchdogEventMap>): () => void {
    const off = [
      events.on('recovery', (e) => {
        if (e.phase === 'action') {
          this.publish('recovery', e.streamId, {
            layer: 'watchdog',
            phase: 'action',
            action: e.action,
            reason: e.reason,
            ...(e.fromInput !== undefined && { fromInput: e.fromInput, toInput: e.toInput }),
            at: iso(e.at),
          });
          return;
        }
        const r = e.record;
        this.publish('recovery', e.streamId, {
          layer: e.layer ?? 'watchdog',
          phase: 'recovered',
          action: r.action,
          cause: r.cause,
          locus: r.locus,
          detail: r.detail,
          actions: r.actions.map((a) => ({ type: a.type, reason: a.reason, at: iso(a.at) })),
          failedAt: iso(r.failedAt),
          detectedAt: iso(r.detectedAt),
          detectedAfterSeconds: r.detectedAfterMs / 1_000,
          recoveredAt: r.recoveredAt === undefined ? null : iso(r.recoveredAt),
          recoveredAfterSeconds: r.recoveredAfterMs === undefined ? null : r.recoveredAfterMs / 1_000,
          at: iso(e.at),
        });
      }),
      events.on('notification', (e) => {
        this.publish('notification', e.streamId, {
          kind: e.kind,
          severity: e.severity,
          title: e.title,
          text: e.text,
          notifiers: e.notifiers,
          at: iso(e.at),
        });
      }),
    ];
    return () => {
      for (const remove of off) remove();
    };
  }
}
