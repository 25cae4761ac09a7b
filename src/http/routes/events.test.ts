import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { appHarness, type AppHarness, SECRET, until } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';

interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

function parseFrames(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const frame: SseFrame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(': ');
          const field = line.slice(0, colon) as keyof SseFrame;
          frame[field] = line.slice(colon + 2);
        }
      }
      return frame;
    });
}

/** Opens the event stream with inject and collects what arrives (read as fast as it comes). */
async function open(h: AppHarness, options: { url?: string; headers?: Record<string, string>; read?: boolean } = {}) {
  const response = await h.app.inject({ method: 'GET', url: options.url ?? '/api/v1/events', headers: options.headers ?? {}, payloadAsStream: true });
  const stream: Readable = response.stream();
  let text = '';
  let ended = false;
  let errored = false;
  stream.on('end', () => (ended = true));
  stream.on('error', () => (errored = true));
  if (options.read !== false) stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    response,
    stream,
    text: () => text,
    frames: () => parseFrames(text),
    events: () => parseFrames(text).filter((f) => f.event !== undefined),
    ended: () => ended,
    errored: () => errored,
    /** Waits (event-loop turns, no timers) until the collected frames satisfy `predicate`. */
    until: (predicate: (frames: SseFrame[]) => boolean, description: string) => until(() => predicate(parseFrames(text)), description),
  };
}

describe('GET /api/v1/events', () => {
  it('streams state, health and recovery events with ids, after a retry hint', async () => {
    const h = await appHarness();
    const client = await open(h);
    expect(client.response.statusCode).toBe(200);
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers['cache-control']).toBe('no-cache, no-transform');
    await client.until((f) => f.some((x) => x.retry === '3000'), 'the retry hint');

    h.runFor('cam', 2);
    h.process('cam').stderr(`Error writing to rtmp://127.0.0.1/live/cam-${SECRET}\n`);
    h.process('cam').exit({ code: 1, signal: null });
    await client.until((f) => f.some((x) => x.event === 'recovery'), 'a recovery event');

    const events = client.events();
    expect(events.map((e) => e.event)).toEqual(['state', 'health', 'recovery', 'state', 'health']);
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({ type: 'state', streamId: 'cam', from: 'starting', to: 'running', desired: 'running', at: expect.any(String) as unknown });
    expect(JSON.parse(events[2]?.data ?? '')).toMatchObject({ type: 'recovery', streamId: 'cam', reason: 'exited', lastError: 'Error writing to rtmp://127.0.0.1/live/***' });
    expect(client.text()).not.toContain(SECRET);
    await h.app.close();
  });

  it('replays what a client missed after Last-Event-ID, then continues live', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    h.process('cam').exit({ code: 1, signal: null });
    const all = h.journal.since(0).events;
    const seen = all[1];
    if (!seen) throw new Error('expected events');

    const client = await open(h, { headers: { 'last-event-id': String(seen.id) } });
    await client.until((f) => f.filter((x) => x.event).length === all.length - 2, 'the replay');
    expect(client.events().map((e) => Number(e.id))).toEqual(all.slice(2).map((e) => e.id));
    expect(client.frames().some((f) => f.event === 'resync')).toBe(false);

    h.runFor('cam', 2);
    await client.until((f) => f.filter((x) => x.event).length === all.length, 'a live event after the replay');
    expect(client.events().at(-1)).toMatchObject({ event: 'health', id: String(h.journal.lastId) });

    // The query form works too, for clients that cannot set the header.
    const other = await open(h, { url: `/api/v1/events?lastEventId=${seen.id}` });
    await other.until((f) => f.filter((x) => x.event).length === h.journal.since(seen.id).events.length, 'the replay by query');
    await h.app.close();
  });

  it('sends resync first when the missed events are gone (or the id is unknown), then what it still has', async () => {
    const h = await appHarness({ journalCapacity: 2 });
    const before = h.journal.lastId;
    h.runFor('cam', 2);
    h.process('cam').exit({ code: 1, signal: null });
    const client = await open(h, { headers: { 'last-event-id': String(before) } });
    await client.until((f) => f.filter((x) => x.event).length === 3, 'resync and the two kept events');
    const [resync, ...rest] = client.events();
    expect(resync).toEqual({ event: 'resync', data: JSON.stringify({ reason: 'events after the given id are no longer available', lastId: h.journal.lastId }) });
    expect(rest.map((e) => Number(e.id))).toEqual(h.journal.since(0).events.map((e) => e.id));

    const future = await open(h, { headers: { 'last-event-id': String(h.journal.lastId + 100) } });
    await future.until((f) => f.some((x) => x.event === 'resync'), 'resync for an unknown id');
    await h.app.close();
  });

  it('?recent=N sends the last N events first on a first connection; a Last-Event-ID wins over it', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    h.process('cam').exit({ code: 1, signal: null });
    const all = h.journal.since(0).events;
    expect(all.length).toBeGreaterThan(3);
    const client = await open(h, { url: '/api/v1/events?recent=3' });
    await client.until((f) => f.filter((x) => x.event).length === 3, 'the three most recent events');
    expect(client.events().map((e) => Number(e.id))).toEqual(all.slice(-3).map((e) => e.id));

    const resumed = await open(h, { url: '/api/v1/events?recent=3', headers: { 'last-event-id': String(all.at(-2)?.id) } });
    await resumed.until((f) => f.filter((x) => x.event).length === 1, 'only the missed event');
    expect(resumed.events().map((e) => Number(e.id))).toEqual([all.at(-1)?.id]);

    const refused = await h.app.inject({ method: 'GET', url: '/api/v1/events?recent=0' });
    expect(refused.statusCode).toBe(400);
    await h.app.close();
  });

  it('?stream=ID keeps only that stream’s events', async () => {
    const h = await appHarness();
    const client = await open(h, { url: '/api/v1/events?stream=idle' });
    h.runFor('cam', 2);
    await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/start' });
    await client.until((f) => f.some((x) => x.event === 'state'), 'the idle stream starting');
    expect(client.events().map((e) => JSON.parse(e.data ?? '{}') as { streamId: string }).every((d) => d.streamId === 'idle')).toBe(true);
    await h.app.close();
  });

  it('sends a heartbeat comment every 15 s of (fake) clock time', async () => {
    const h = await appHarness();
    const client = await open(h);
    await client.until((f) => f.length === 1, 'the retry hint');
    h.clock.advance(15_000);
    await client.until((f) => f.some((x) => x.comment === 'heartbeat'), 'a heartbeat');
    await h.app.close();
  });

  it('disconnects a client that does not read once its queue passes the bound; the others carry on', async () => {
    const h = await appHarness({ sse: { maxQueuedBytes: 4_096 } });
    const slow = await open(h, { read: false });
    const fast = await open(h);
    expect(h.journal.subscriberCount).toBe(2);
    // Far more than the response stream's 16 KiB buffer plus the 4 KiB queue, in bursts the
    // reading client keeps up with.
    for (let burst = 0; burst < 40; burst++) {
      for (let i = 0; i < 10; i++) h.journal.publish('notification', 'cam', { message: `notice ${burst * 10 + i} ${'x'.repeat(100)}` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(h.journal.subscriberCount).toBe(1);
    await fast.until((f) => f.filter((x) => x.event === 'notification').length === 400, 'every notice at the fast client');
    expect(slow.stream.destroyed || slow.errored()).toBe(true);
    await h.app.close();
  });

  it('ends every open stream when the app closes, and forgets clients that go away', async () => {
    const h = await appHarness();
    const client = await open(h);
    const leaving = await open(h);
    expect(h.journal.subscriberCount).toBe(2);
    leaving.response.raw.res.destroy();
    await until(() => h.journal.subscriberCount === 1, 'the departed client to be forgotten');
    await h.app.close();
    await until(() => client.ended(), 'the stream to end');
    expect(h.journal.subscriberCount).toBe(0);
  });

  it('is open without the token when one is set: events are masked reads', async () => {
    const h = await appHarness({ token: 'events-token-1' });
    const client = await open(h);
    expect(client.response.statusCode).toBe(200);
    await client.until((f) => f.some((x) => x.retry === '3000'), 'the retry hint');
    await h.app.close();
  });

  it('rejects a malformed stream filter or Last-Event-ID query with 400', async () => {
    const h = await appHarness();
    for (const url of ['/api/v1/events?stream=NOT%20AN%20ID', '/api/v1/events?lastEventId=abc']) {
      const response = await h.app.inject(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
    }
  });
});
