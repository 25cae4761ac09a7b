/**
 * One Server-Sent Events client. Writes go straight to the socket while it drains; once a write
 * reports a full socket buffer, later frames wait in a per-client queue that is flushed on
 * `drain`. A client that lets the queue grow past `maxQueuedBytes`, or does not drain within
 * `maxBlockedMs`, is disconnected: the daemon never buffers without limit for a slow reader. A
 * disconnected client loses nothing it cannot get back: it reconnects with `Last-Event-ID` and
 * the journal replays what it missed.
 *
 * A comment line is sent every `heartbeatMs` (timed through the Clock) so that proxies keep the
 * connection open and clients notice a dead daemon.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { ApiEvent } from '../events/event-journal.js';

/** The socket side of a client, as little of it as the connection needs. */
export interface SseSink {
  /** Writes a chunk; false when the socket buffer is full (wait for drain before writing more). */
  write(chunk: string): boolean;
  onDrain(listener: () => void): void;
  /** Ends the response cleanly. */
  end(): void;
  /** Drops the connection (a client that does not keep up). */
  destroy(): void;
}

export interface SseOptions {
  /** Time between heartbeat comments. Default 15 s. */
  readonly heartbeatMs: number;
  /** Bytes a client may have waiting in its queue before it is disconnected. Default 1 MiB. */
  readonly maxQueuedBytes: number;
  /** How long a client may leave its socket undrained before it is disconnected. Default 60 s. */
  readonly maxBlockedMs: number;
  /** The reconnection delay suggested to clients (`retry:`). Default 3 s. */
  readonly retryMs: number;
}

export const DEFAULT_SSE_OPTIONS: SseOptions = {
  heartbeatMs: 15_000,
  maxQueuedBytes: 1024 * 1024,
  maxBlockedMs: 60_000,
  retryMs: 3_000,
};

export type SseCloseReason = 'ended' | 'slow-client' | 'client-gone';

/** The wire form of an event: `id`, `event`, one `data` line (the JSON has no newlines). */
export function formatEvent(event: ApiEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}

/** An event without an id (it is not in the journal), e.g. `resync`. */
export function formatControl(type: string, payload: Readonly<Record<string, unknown>>): string {
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export class SseConnection {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private blockedSince: number | undefined;
  private heartbeat: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly sink: SseSink,
    private readonly clock: Clock,
    private readonly options: SseOptions,
    private readonly onClose: (reason: SseCloseReason) => void = () => {},
  ) {
    sink.onDrain(() => this.flush());
  }

  /** Sends the `retry:` hint and starts the heartbeat. */
  open(): void {
    this.write(`retry: ${this.options.retryMs}\n\n`);
    this.scheduleHeartbeat();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes waiting for the socket to drain. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  send(event: ApiEvent): void {
    this.write(formatEvent(event));
  }

  /** Writes a pre-formatted frame (see formatControl). */
  write(frame: string): void {
    if (this.closed) return;
    if (this.blockedSince !== undefined) {
      this.queue.push(frame);
      this.queuedBytes += Buffer.byteLength(frame);
      if (this.queuedBytes > this.options.maxQueuedBytes) this.drop();
      return;
    }
    if (!this.sink.write(frame)) this.blockedSince = this.clock.now();
  }

  /** Ends the stream cleanly (daemon shutting down). */
  end(): void {
    if (this.closed) return;
    this.dispose('ended');
    this.sink.end();
  }

  /** The client went away: release everything, write nothing more. */
  gone(): void {
    if (!this.closed) this.dispose('client-gone');
  }

  private flush(): void {
    if (this.closed) return;
    this.blockedSince = undefined;
    while (this.queue.length > 0) {
      const frame = this.queue.shift() ?? '';
      this.queuedBytes -= Buffer.byteLength(frame);
      if (!this.sink.write(frame)) {
        this.blockedSince = this.clock.now();
        return;
      }
    }
  }

  private scheduleHeartbeat(): void {
    this.heartbeat = this.clock.setTimer(this.options.heartbeatMs, () => {
      if (this.closed) return;
      if (this.blockedSince !== undefined) {
        // Nothing is written to a full socket; a client stuck for too long is let go.
        if (this.clock.now() - this.blockedSince >= this.options.maxBlockedMs) {
          this.drop();
          return;
        }
      } else {
        this.write(': heartbeat\n\n');
      }
      this.scheduleHeartbeat();
    });
  }

  private drop(): void {
    this.dispose('slow-client');
    this.sink.destroy();
  }

  private dispose(reason: SseCloseReason): void {
    this.closed = true;
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.onClose(reason);
  }
}
