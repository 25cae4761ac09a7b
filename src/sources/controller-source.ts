/**
 * A controller over Server-Sent Events as a desired-state source: it owns the streams it sends
 * (owner `controller`).
 *
 * Protocol (what the reference controller in src/controller/ serves at GET /events):
 *   event: snapshot   data: {"version": V, "streams": [<stream entry>, …]}   the complete desired set
 *   event: upsert     data: {"stream": <stream entry>, "version"?: V}        create or replace one
 *   event: remove     data: {"id": "<stream id>", "version"?: V}             delete one
 *   event: heartbeat  data: anything                                         liveness only
 * A stream entry is a stream of the configuration file (DESIGN.md §4.2), checked by the same
 * schema and rules (parseStreamBody); `${VAR}` is not substituted.
 *
 * Guarantees:
 * - A lost connection never stops a stream: network loss is not a command. The store keeps the
 *   controller's streams as they were, so they run on (and across daemon restarts) until the
 *   controller says otherwise.
 * - Reconnects with exponential backoff and jitter (through the Clock): 1 s, 2 s, 4 s, then every
 *   `reconnectDelayMs` (5 s, ±20 %) while the controller stays down; the backoff resets once a
 *   connection delivers an event. Snapshots, upserts and removes are applied by ControllerEvents.
 * - Every snapshot is applied as a three-way diff of the controller-owned streams only: start new,
 *   stop removed, keep the rest (an unchanged stream is not touched).
 * - A malformed event (bad JSON, a bad stream entry) is logged with every problem and its path and
 *   skipped; the connection stays up. In a snapshot, only the bad entries are skipped, and a stream
 *   whose entry was bad is kept as it is, never removed for it.
 * - No event (or comment) for `heartbeatTimeoutMs` → the connection is presumed dead and replaced.
 * - Streams owned by the file or the API are refused with an error naming their owner.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { redactUrl, type Redactor } from '../domain/redact.js';
import { applyJitter, backoffDelay } from '../domain/restart-policy.js';
import { DEFAULT_RESTART_POLICY } from '../domain/stream-spec.js';
import type { StreamReferences } from '../config/stream-body.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamsRepository } from '../ports/store.js';
import type { ControllerOptions } from '../config/types.js';
import { ControllerEvents, MalformedEvent, type ControllerVersion } from './controller-events.js';
import { fetchTransport, type SseTransport } from './sse-transport.js';
import { errorMessage } from '../domain/error-message.js';

export interface ReconnectBackoff {
  /** @default 1000 */
  readonly initialMs: number;
  /** The delay between attempts while the controller stays down. @default 5000 (`controller.reconnectDelay`) */
  readonly maxMs: number;
  /** @default 2 */
  readonly multiplier: number;
  /** ±fraction of each delay. @default 0.2 */
  readonly jitter: number;
}

/** 1 s, 2 s, 4 s, then every 5 s (±20 %) while the controller is down: the drop-shot SSE_RETRY_DELAY. */
export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { initialMs: 1_000, maxMs: 5_000, multiplier: 2, jitter: 0.2 };
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;
/** The largest event (or unterminated line) accepted; a bigger one breaks the stream. */
export const DEFAULT_MAX_EVENT_CHARS = 4 * 1024 * 1024;

export interface ControllerSourceOptions extends ControllerOptions {
  readonly store: StreamsRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after the store changed (wire to `reconciler.trigger`). */
  readonly onChange: (reason: string) => void;
  /** The ids stream entries may refer to (rtmpServers, notifiers of the loaded configuration). */
  readonly references: StreamReferences;
  readonly redact: Redactor;
  /** Uniform in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
  readonly backoff?: Partial<ReconnectBackoff>;
  /** @default fetchTransport */
  readonly transport?: SseTransport;
  /** @default DEFAULT_MAX_EVENT_CHARS */
  readonly maxEventChars?: number;
}

export type { ControllerVersion } from './controller-events.js';
export { prefixIssue } from './controller-events.js';

/** For health reporting (`/healthz?verbose`) and tests. */
export interface ControllerStatus {
  /** Redacted. */
  readonly url: string;
  readonly connected: boolean;
  readonly connectedAt: number | undefined;
  /** When the last event (or heartbeat comment) arrived, on any connection. */
  readonly lastEventAt: number | undefined;
  /** The version of the last snapshot / upsert / remove applied. */
  readonly version: ControllerVersion | undefined;
  /** Connections opened so far. */
  readonly connects: number;
  /** Failed attempts since the last connection that delivered an event. */
  readonly reconnectAttempt: number;
  readonly nextAttemptAt: number | undefined;
  readonly lastError: string | undefined;
  /** Malformed events skipped so far. */
  readonly skippedEvents: number;
}


export class ControllerSource {
  private readonly backoff: ReconnectBackoff;
  private readonly heartbeatTimeoutMs: number;
  private readonly log: Logger;
  private readonly shownUrl: string;
  private started = false;
  private closed = false;
  private abort: AbortController | undefined;
  private watchdog: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  private connected = false;
  private connectedAt: number | undefined;
  private lastEventAt: number | undefined;
  private connects = 0;
  private attempt = 0;
  private nextAttemptAt: number | undefined;
  private lastError: string | undefined;
  private readonly events: ControllerEvents;

  constructor(private readonly options: ControllerSourceOptions) {
    const backoff = { ...DEFAULT_RECONNECT_BACKOFF, ...(options.reconnectDelayMs !== undefined && { maxMs: options.reconnectDelayMs }), ...options.backoff };
    this.backoff = { ...backoff, initialMs: Math.min(backoff.initialMs, backoff.maxMs) };
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.shownUrl = options.redact(redactUrl(options.url));
    this.log = options.logger.child({ source: 'controller', url: this.shownUrl });
    this.events = new ControllerEvents({ store: options.store, references: options.references, redact: options.redact, log: this.log, onChange: options.onChange });
  }

  /** Connects (and keeps reconnecting until close). Idempotent. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.connect();
  }

  status(): ControllerStatus {
    return {
      url: this.shownUrl,
      connected: this.connected,
      connectedAt: this.connectedAt,
      lastEventAt: this.lastEventAt,
      version: this.events.version,
      connects: this.connects,
      reconnectAttempt: this.attempt,
      nextAttemptAt: this.nextAttemptAt,
      lastError: this.lastError,
      skippedEvents: this.events.skippedEvents,
    };
  }

  /** Resolves once every event received so far has been applied. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  /** Disconnects for good; waits for an event being applied. Streams are left as they are. */
  async close(): Promise<void> {
    this.closed = true;
    this.watchdog?.cancel();
    this.reconnectTimer?.cancel();
    this.abort?.abort();
    this.connected = false;
    await this.queue;
  }

  private connect(): void {
    if (this.closed) return;
    this.nextAttemptAt = undefined;
    const abort = new AbortController();
    this.abort = abort;
    const parser = createParser({
      maxBufferSize: this.options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS,
      onEvent: (message) => this.received(message, abort),
      onComment: () => this.alive(abort),
      onError: (error: ParseError) => this.parseError(error, abort),
    });
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    // The watchdog also bounds the connect itself: a controller that never answers is replaced.
    this.armWatchdog(abort);
    const transport = this.options.transport ?? fetchTransport;
    let ended: Promise<void>;
    try {
      ended = transport(
        { url: this.options.url, headers, signal: abort.signal },
        {
          opened: () => {
            if (abort !== this.abort) return;
            this.connected = true;
            this.connectedAt = this.options.clock.now();
            this.connects++;
            this.log.info({ connects: this.connects }, 'connected to the controller');
          },
          chunk: (text) => {
            if (abort === this.abort) parser.feed(text);
          },
        },
      );
    } catch (error) {
      ended = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    ended.then(
      () => this.lost(abort, new Error('the controller ended the stream')),
      (error: unknown) => this.lost(abort, error),
    );
  }

  private lost(abort: AbortController, error: unknown): void {
    if (abort !== this.abort || this.closed) return;
    this.abort = undefined;
    this.watchdog?.cancel();
    const wasConnected = this.connected;
    this.connected = false;
    // An abort we made (heartbeat timeout, oversized event) carries our own reason.
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : error;
    this.lastError = this.options.redact(errorMessage(reason));
    this.attempt++;
    const delay = applyJitter(
      backoffDelay(
        { ...DEFAULT_RESTART_POLICY, backoffInitialMs: this.backoff.initialMs, backoffMaxMs: this.backoff.maxMs, backoffMultiplier: this.backoff.multiplier },
        this.attempt,
      ),
      this.backoff.jitter,
      (this.options.random ?? Math.random)(),
    );
    this.nextAttemptAt = this.options.clock.now() + delay;
    this.log[wasConnected || this.attempt === 1 ? 'warn' : 'info'](
      { error: this.lastError, attempt: this.attempt, retryInMs: delay },
      wasConnected ? 'lost the controller connection; every stream keeps running as it is' : 'cannot reach the controller; every stream keeps running as it is',
    );
    this.reconnectTimer = this.options.clock.setTimer(delay, () => {
      this.reconnectTimer = undefined;
      this.connect();
    });
  }

  private armWatchdog(abort: AbortController): void {
    this.watchdog?.cancel();
    this.watchdog = this.options.clock.setTimer(this.heartbeatTimeoutMs, () => {
      if (abort !== this.abort) return;
      this.log.warn({ timeoutMs: this.heartbeatTimeoutMs }, 'no event from the controller in time; reconnecting');
      abort.abort(new Error(`no event for ${this.heartbeatTimeoutMs} ms`));
    });
  }

  private alive(abort: AbortController): void {
    if (abort !== this.abort) return;
    this.lastEventAt = this.options.clock.now();
    this.armWatchdog(abort);
  }

  private parseError(error: ParseError, abort: AbortController): void {
    if (error.type === 'max-buffer-size-exceeded') {
      // The parser cannot go on past this: a new connection (and its snapshot) it is.
      this.events.skippedEvents++;
      this.log.error({ limitChars: this.options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS }, 'an event from the controller is too large; reconnecting');
      abort.abort(new Error('an event exceeded the size limit'));
      return;
    }
    this.log.debug({ type: error.type, field: error.field }, 'ignored a malformed line from the controller');
  }

  private received(message: EventSourceMessage, abort: AbortController): void {
    if (abort !== this.abort) return;
    this.alive(abort);
    // A connection that delivers events is a good one: the next loss starts the backoff afresh.
    this.attempt = 0;
    this.lastError = undefined;
    // Events are applied one at a time, in order.
    this.queue = this.queue.then(() => this.handle(message, abort)).catch((error: unknown) => this.log.error({ err: error }, 'applying a controller event failed'));
  }

  private async handle(message: EventSourceMessage, abort: AbortController): Promise<void> {
    if (this.closed) return;
    const type = message.event ?? 'message';
    if (type === 'heartbeat') return;
    if (type !== 'snapshot' && type !== 'upsert' && type !== 'remove') {
      this.log.debug({ event: type }, 'ignored an unknown controller event');
      return;
    }
    try {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        throw new MalformedEvent(['(root): not valid JSON']);
      }
      await this.events.apply(type, data);
    } catch (error) {
      if (error instanceof MalformedEvent) {
        this.events.skip(type, error.issues);
      } else {
        // The store could not take it. A new connection brings a new snapshot that covers
        // whatever this event would have changed.
        this.log.error({ event: type, err: error }, 'cannot apply a controller event; reconnecting for a fresh snapshot');
        if (abort === this.abort) abort.abort(new Error(`cannot apply a ${type} event: ${errorMessage(error)}`));
      }
    }
  }
}
