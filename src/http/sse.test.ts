import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { ApiEvent } from '../events/event-journal.js';
import { formatControl, formatEvent, SseConnection, type SseCloseReason, type SseOptions, type SseSink } from './sse.js';

/** A socket whose buffer holds `capacity` writes before it reports full, until drained. */
class FakeSink implements SseSink {
  readonly written: string[] = [];
  ended = false;
  destroyed = false;
  capacity = Infinity;
  private buffered = 0;
  private drainListener: (() => void) | undefined;

  write(chunk: string): boolean {
    this.written.push(chunk);
    this.buffered++;
    return this.buffered < this.capacity;
  }
  onDrain(listener: () => void): void {
    this.drainListener = listener;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The client read everything. */
  drain(): void {
    this.buffered = 0;
    this.drainListener?.();
  }
  get text(): string {
    return this.written.join('');
  }
}

const OPTIONS: SseOptions = { heartbeatMs: 15_000, maxQueuedBytes: 1_000, maxBlockedMs: 60_000, retryMs: 3_000 };

const event = (id: number, data = '{"type":"state"}'): ApiEvent => ({ id, type: 'state', streamId: 'cam', data });

function setup(options: Partial<SseOptions> = {}) {
  const clock = new FakeClock();
  const sink = new FakeSink();
  const closed: SseCloseReason[] = [];
  const connection = new SseConnection(sink, clock, { ...OPTIONS, ...options }, (reason) => closed.push(reason));
  connection.open();
  return { clock, sink, connection, closed };
}

describe('SSE wire format', () => {
  it('writes id, event and one data line per event; control events carry no id', () => {
    expect(formatEvent(event(7, '{"a":1}'))).toBe('id: 7\nevent: state\ndata: {"a":1}\n\n');
    expect(formatControl('resync', { lastId: 3 })).toBe('event: resync\ndata: {"lastId":3}\n\n');
  });
});

describe('SseConnection', () => {
  it('starts with the retry hint and sends a heartbeat comment every 15 s of clock time', () => {
    const { clock, sink } = setup();
    expect(sink.written).toEqual(['retry: 3000\n\n']);
    clock.advance(14_999);
    expect(sink.written).toHaveLength(1);
    clock.advance(1);
    clock.advance(15_000);
    expect(sink.written.slice(1)).toEqual([': heartbeat\n\n', ': heartbeat\n\n']);
  });

  it('queues while the socket is full and flushes in order on drain', () => {
    const { sink, connection } = setup();
    sink.capacity = 2; // the retry line and one event fit
    connection.send(event(1));
    connection.send(event(2));
    connection.send(event(3));
    expect(sink.written).toHaveLength(2);
    expect(connection.pendingBytes).toBe(formatEvent(event(2)).length * 2);
    sink.drain();
    expect(sink.written.slice(1)).toEqual([formatEvent(event(1)), formatEvent(event(2)), formatEvent(event(3))]);
    expect(connection.pendingBytes).toBe(0);
  });

  it('disconnects a client whose queue grows past the bound, and then writes nothing more', () => {
    const { sink, connection, closed } = setup({ maxQueuedBytes: 200 });
    sink.capacity = 1;
    const big = event(1, JSON.stringify({ pad: 'x'.repeat(80) }));
    connection.send(big);
    connection.send(big);
    expect(sink.destroyed).toBe(false);
    connection.send(big);
    expect(sink.destroyed).toBe(true);
    expect(closed).toEqual(['slow-client']);
    expect(connection.isClosed).toBe(true);
    expect(connection.pendingBytes).toBe(0);
    const count = sink.written.length;
    connection.send(event(9));
    sink.drain();
    expect(sink.written).toHaveLength(count);
  });

  it('disconnects a client that leaves its socket undrained too long; no heartbeats meanwhile', () => {
    const { clock, sink, connection, closed } = setup({ maxBlockedMs: 30_000 });
    sink.capacity = 2;
    connection.send(event(1)); // fills the socket
    connection.send(event(2)); // queued
    clock.advance(15_000);
    expect(sink.written).toEqual(['retry: 3000\n\n', formatEvent(event(1))]);
    expect(sink.destroyed).toBe(false);
    clock.advance(15_000);
    expect(sink.destroyed).toBe(true);
    expect(closed).toEqual(['slow-client']);
    expect(clock.armed).toBe(0);
  });

  it('a client that drains in time keeps its connection and its heartbeats', () => {
    const { clock, sink, connection } = setup({ maxBlockedMs: 30_000 });
    sink.capacity = 2;
    connection.send(event(1));
    connection.send(event(2));
    clock.advance(20_000);
    sink.capacity = Infinity;
    sink.drain();
    clock.advance(40_000);
    expect(sink.text).toContain(formatEvent(event(2)));
    expect(sink.destroyed).toBe(false);
    expect(sink.text).toContain(formatEvent(event(1)));
    expect(sink.written.filter((w) => w === ': heartbeat\n\n').length).toBeGreaterThan(0);
  });

  it('end() closes cleanly and stops the heartbeat; gone() releases without writing', () => {
    const a = setup();
    a.connection.end();
    expect(a.sink.ended).toBe(true);
    expect(a.closed).toEqual(['ended']);
    expect(a.clock.armed).toBe(0);
    a.connection.end();
    expect(a.closed).toHaveLength(1);

    const b = setup();
    b.connection.gone();
    expect(b.closed).toEqual(['client-gone']);
    expect(b.sink.ended).toBe(false);
    expect(b.clock.armed).toBe(0);
  });
});
