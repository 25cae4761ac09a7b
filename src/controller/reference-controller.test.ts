/**
 * The reference controller over real loopback HTTP. No sleeps: every wait is for a response or
 * for the next SSE frame; heartbeats are driven by a fake clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { ConfigError } from '../domain/errors.js';
import { loadControllerStreams } from './controller-streams.js';
import { startReferenceController, type ReferenceController, type ReferenceControllerOptions } from './reference-controller.js';

const entry = (id: string, extra: Record<string, unknown> = {}) => ({ id, args: ['-i', 'in', '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}`], ...extra });

let controller: ReferenceController | undefined;
const aborts: AbortController[] = [];

afterEach(async () => {
  for (const abort of aborts.splice(0)) abort.abort();
  await controller?.close();
  controller = undefined;
});

async function start(options: Partial<ReferenceControllerOptions> = {}): Promise<ReferenceController> {
  controller = await startReferenceController({ clock: new FakeClock(), ...options });
  return controller;
}

/** An SSE subscription whose frames the test awaits one by one. */
async function subscribe(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  aborts.push(abort);
  const response = await fetch(url, { headers, signal: abort.signal });
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const next = async (): Promise<EventSourceMessage | undefined> => {
    while (queue.length === 0) {
      const { done, value } = await reader.read();
      if (done) return undefined;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    return queue.shift();
  };
  const data = async (): Promise<{ event: string | undefined; data: unknown }> => {
    const message = await next();
    if (!message) throw new Error('the stream ended');
    return { event: message.event, data: JSON.parse(message.data) as unknown };
  };
  return { response, next, data, abort };
}

describe('reference controller', () => {
  it('sends a snapshot on connect, then upserts, removes and heartbeats', async () => {
    const clock = new FakeClock(1_000);
    const c = await start({ clock, streams: [entry('a'), entry('b', { desired: 'stopped' })], heartbeatMs: 5_000 });
    const sub = await subscribe(c.eventsUrl);
    expect(sub.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await sub.data()).toEqual({ event: 'snapshot', data: { version: 1, streams: [entry('a'), entry('b', { desired: 'stopped' })] } });
    expect(c.clientCount()).toBe(1);

    c.upsert(entry('c'));
    expect(await sub.data()).toEqual({ event: 'upsert', data: { version: 2, stream: entry('c') } });
    c.setDesired('a', 'stopped');
    expect(await sub.data()).toEqual({ event: 'upsert', data: { version: 3, stream: entry('a', { desired: 'stopped' }) } });
    c.remove('b');
    expect(await sub.data()).toEqual({ event: 'remove', data: { version: 4, id: 'b' } });
    clock.advance(5_000);
    expect(await sub.data()).toEqual({ event: 'heartbeat', data: { version: 4, at: 6_000 } });
    c.sendRaw('upsert', '{not json');
    expect((await sub.next())?.data).toBe('{not json');
  });

  it('manages streams over HTTP: list, create, replace, start / stop, delete', async () => {
    const c = await start({ streams: [entry('a')] });
    const post = (path: string, body?: unknown) =>
      fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });

    expect(await (await fetch(`${c.url}/streams`)).json()).toEqual({ version: 1, streams: [entry('a')] });
    expect((await post('/streams', entry('b'))).status).toBe(201);
    expect((await post('/streams', entry('b', { name: 'B' }))).status).toBe(200);
    expect((await post('/streams/b/stop')).status).toBe(200);
    expect(c.streams()).toEqual([entry('a'), entry('b', { name: 'B', desired: 'stopped' })]);
    expect((await post('/streams/b/start')).status).toBe(200);
    expect((await fetch(`${c.url}/streams/b`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${c.url}/streams/b`, { method: 'DELETE' })).status).toBe(404);
    expect((await post('/streams/nope/start')).status).toBe(404);
    expect(c.version()).toBe(6);

    const bad = await post('/streams', { id: 'Not An Id' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'id: expected a stream id' } });
    expect((await fetch(`${c.url}/streams`, { method: 'POST', body: '{oops' })).status).toBe(400);
  });

  it('serves a page with start / stop forms that redirect back; names are escaped, URLs never shown', async () => {
    const c = await start({ streams: [entry('a', { name: '<b>A</b>' }), entry('b', { desired: 'stopped' })] });
    const page = await (await fetch(`${c.url}/`)).text();
    expect(page).toContain('&lt;b&gt;A&lt;/b&gt;');
    expect(page).toContain('action="/streams/a/stop"');
    expect(page).toContain('action="/streams/b/start"');
    expect(page).not.toContain('rtmp://');

    const response = await fetch(`${c.url}/streams/b/start`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(c.streams()[1]?.desired).toBe('running');
  });

  it('with a token, refuses requests without it', async () => {
    const c = await start({ token: 't0k3n', streams: [entry('a')] });
    expect((await fetch(`${c.url}/streams`)).status).toBe(401);
    expect((await fetch(c.eventsUrl)).status).toBe(401);
    expect((await fetch(`${c.url}/streams`, { headers: { authorization: 'Bearer t0k3n' } })).status).toBe(200);
    const page = await (await fetch(`${c.url}/?token=t0k3n`)).text();
    expect(page).toContain('action="/streams/a/stop?token=t0k3n"');
  });

  it('cuts every stream on dropClients, and refuses connections while offline', async () => {
    const c = await start({ streams: [entry('a')] });
    const sub = await subscribe(c.eventsUrl);
    await sub.data();
    c.dropClients();
    await expect(sub.next()).rejects.toThrow();
    expect(c.clientCount()).toBe(0);

    c.setOnline(false);
    await expect(fetch(c.eventsUrl)).rejects.toThrow();
    c.setOnline(true);
    const again = await subscribe(c.eventsUrl);
    expect((await again.data()).event).toBe('snapshot');
    expect(c.connectionsServed()).toBe(2);
  });
});

describe('loadControllerStreams', () => {
  it('gives the config file\'s stream entries as written, variables substituted; a broken file lists every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamwarden-controller-'));
    try {
      const path = join(dir, 'controller.yaml');
      writeFileSync(path, 'streams:\n  - id: cam\n    args: [-i, in, -f, flv, "rtmp://127.0.0.1/live/${CAM_KEY}"]\n    stallTimeout: 20s\n');
      expect(await loadControllerStreams(path, { CAM_KEY: 'k3y' })).toEqual([
        { id: 'cam', args: ['-i', 'in', '-f', 'flv', 'rtmp://127.0.0.1/live/k3y'], stallTimeout: '20s' },
      ]);
      const error = await loadControllerStreams(path, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.join('\n')).toContain('CAM_KEY');
      await expect(loadControllerStreams(join(dir, 'missing.yaml'), {})).rejects.toThrow(/cannot read config file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
