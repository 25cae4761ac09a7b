import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../test/contract/store-fixtures.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { openSqliteStore, type SqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { loadConfigText } from '../config/load.js';
import { createRedactor } from '../domain/redact.js';
import type { Logger } from '../ports/logger.js';
import { ControllerSource, prefixIssue, type ControllerSourceOptions } from './controller-source.js';
import { upsertOwned } from './owned-streams.js';
import type { SseRequest, SseSink, SseTransport } from './sse-transport.js';

interface Logged {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

function recordingLogger(logged: Logged[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => logged.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}

/** One scripted connection: the test opens it, sends text, ends or breaks it. */
interface FakeConnection {
  readonly request: SseRequest;
  readonly sink: SseSink;
  open(): void;
  send(text: string): void;
  event(type: string, data: unknown): void;
  end(): void;
  fail(error: Error): void;
  readonly aborted: boolean;
}

class FakeTransport {
  readonly connections: FakeConnection[] = [];

  readonly fn: SseTransport = (request, sink) =>
    new Promise<void>((resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason as Error));
      this.connections.push({
        request,
        sink,
        open: () => sink.opened(),
        send: (text) => sink.chunk(text),
        event: (type, data) => sink.chunk(`event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`),
        end: () => resolve(),
        fail: (error) => reject(error),
        get aborted() {
          return request.signal.aborted;
        },
      });
    });

  get last(): FakeConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }
}

const entry = (id: string, extra: Record<string, unknown> = {}) => ({ id, args: ['-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}`], ...extra });

async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

let dir: string;
let store: SqliteStore;
let clock: FakeClock;
let logged: Logged[];
let changes: string[];
let transport: FakeTransport;
let source: ControllerSource | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'streamwarden-controller-source-'));
  clock = new FakeClock(T0);
  store = await openSqliteStore({ path: join(dir, 'state.db'), clock });
  logged = [];
  changes = [];
  transport = new FakeTransport();
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function makeSource(options: Partial<ControllerSourceOptions> = {}): ControllerSource {
  source = new ControllerSource({
    url: 'http://127.0.0.1:9/events',
    store,
    clock,
    logger: recordingLogger(logged),
    onChange: (reason) => changes.push(reason),
    references: { rtmpServers: [], notifiers: [] },
    redact: createRedactor(),
    random: () => 0.5,
    transport: transport.fn,
    ...options,
  });
  source.start();
  return source;
}

async function ids(): Promise<string[]> {
  return (await store.listStreams()).map((s) => s.id);
}

async function generations(): Promise<Record<string, number>> {
  return Object.fromEntries((await store.listStreams()).map((s) => [s.id, s.generation]));
}

describe('ControllerSource', () => {
  it('applies a snapshot to the store as controller-owned streams and reports its state', async () => {
    const s = makeSource({ token: 'sekrit' });
    expect(transport.last.request.headers).toMatchObject({ accept: 'text/event-stream', authorization: 'Bearer sekrit' });
    expect(s.status()).toMatchObject({ connected: false, connects: 0 });
    transport.last.open();
    expect(s.status()).toMatchObject({ connected: true, connects: 1, connectedAt: T0 });

    clock.advance(1_000);
    transport.last.event('snapshot', { version: 7, streams: [entry('a'), entry('b', { desired: 'stopped' })] });
    await s.idle();
    expect(await store.listStreams()).toMatchObject([
      { id: 'a', owner: 'controller', desired: 'running' },
      { id: 'b', owner: 'controller', desired: 'stopped' },
    ]);
    expect(changes).toEqual(['controller:snapshot']);
    expect(s.status()).toMatchObject({ version: 7, lastEventAt: T0 + 1_000, skippedEvents: 0 });
  });

  it('applies upsert and remove events, in order', async () => {
    const s = makeSource();
    transport.last.open();
    transport.last.event('snapshot', { version: 1, streams: [entry('a')] });
    transport.last.event('upsert', { version: 2, stream: entry('b') });
    transport.last.event('upsert', { version: 3, stream: entry('a', { desired: 'stopped' }) });
    transport.last.event('remove', { version: 4, id: 'b' });
    transport.last.event('remove', { id: 'never-existed' });
    await s.idle();
    expect(await store.listStreams()).toMatchObject([{ id: 'a', desired: 'stopped' }]);
    expect(s.status().version).toBe(4);
    expect(changes).toEqual(['controller:snapshot', 'controller:upsert', 'controller:upsert', 'controller:remove']);
  });

  it('a lost connection changes nothing; reconnects with exponential backoff and jitter', async () => {
    const random = [0.5, 0, 0.999, 0.5, 0.5, 0.5, 0.5, 0.5];
    const s = makeSource({ random: () => random.shift() ?? 0.5, backoff: { initialMs: 1_000, maxMs: 8_000, multiplier: 2, jitter: 0.2 } });
    transport.last.open();
    transport.last.event('snapshot', { version: 1, streams: [entry('a'), entry('b')] });
    await s.idle();
    const before = await generations();

    transport.last.fail(new Error('socket hang up'));
    await flush();
    expect(s.status()).toMatchObject({ connected: false, reconnectAttempt: 1, lastError: 'socket hang up', nextAttemptAt: T0 + 1_000 });
    expect(logged.some((l) => l.level === 'warn' && l.msg.includes('every stream keeps running'))).toBe(true);
    expect(await generations()).toEqual(before);

    // Attempts 1..5: 1 s (±0), 2 s −20 %, 4 s +~20 % (4798), 8 s, capped at 8 s.
    const delays: number[] = [];
    for (const expected of [1_000, 1_600, 4_798, 8_000, 8_000]) {
      const at = clock.now();
      const count = transport.connections.length;
      clock.advance(expected - 1);
      expect(transport.connections).toHaveLength(count);
      clock.advance(1);
      expect(transport.connections).toHaveLength(count + 1);
      delays.push(clock.now() - at);
      transport.last.fail(new Error('ECONNREFUSED'));
      await flush();
    }
    expect(delays).toEqual([1_000, 1_600, 4_798, 8_000, 8_000]);
    expect(await generations()).toEqual(before);

    // A connection that delivers an event resets the backoff.
    clock.advance(8_000);
    transport.last.open();
    transport.last.event('heartbeat', '{}');
    await s.idle();
    expect(s.status().reconnectAttempt).toBe(0);
    transport.last.end();
    await flush();
    expect(s.status().nextAttemptAt).toBe(clock.now() + 1_000);
  });

  it.each<[string, Partial<ControllerSourceOptions>, number[]]>([
    ['by default, every 5 s while the controller is down (the drop-shot default), never 30 s', {}, [1_000, 2_000, 4_000, 5_000, 5_000, 5_000]],
    ['reconnectDelayMs sets the delay between attempts', { reconnectDelayMs: 2_000 }, [1_000, 2_000, 2_000, 2_000, 2_000, 2_000]],
    ['a delay shorter than the first step is the first step too', { reconnectDelayMs: 300 }, [300, 300, 300, 300, 300, 300]],
  ])('reconnect schedule: %s', async (_name, options, expected) => {
    makeSource(options);
    const delays: number[] = [];
    for (let attempt = 0; attempt < expected.length; attempt += 1) {
      transport.last.fail(new Error('ECONNREFUSED'));
      await flush();
      const at = clock.now();
      const count = transport.connections.length;
      while (transport.connections.length === count && clock.now() - at < 60_000) clock.advance(100);
      delays.push(clock.now() - at);
    }
    expect(delays).toEqual(expected);
  });

  it('after a reconnect, the next snapshot is a three-way diff: start new, stop removed, keep the rest', async () => {
    const s = makeSource();
    transport.last.open();
    transport.last.event('snapshot', { version: 1, streams: [entry('a'), entry('b'), entry('c')] });
    await s.idle();
    const a = await store.getStream('a');
    if (!a) throw new Error('no stream a');
    await upsertOwned(store, 'file', { ...a.spec, id: 'file-one' });
    const before = await generations();

    transport.last.fail(new Error('network down'));
    await flush();
    clock.advance(1_000);
    transport.last.open();
    transport.last.event('snapshot', { version: 2, streams: [entry('a'), entry('c'), entry('d')] });
    await s.idle();
    const after = await generations();
    expect(Object.keys(after)).toEqual(['a', 'c', 'd', 'file-one']);
    expect(after.a).toBe(before.a);
    expect(after.c).toBe(before.c);
    expect(after['file-one']).toBe(before['file-one']);
    expect(s.status()).toMatchObject({ version: 2, connects: 2 });
  });

  it('logs and skips malformed events without dropping the connection', async () => {
    const s = makeSource();
    transport.last.open();
    transport.last.event('snapshot', { version: 1, streams: [entry('a')] });
    transport.last.event('upsert', '{"stream": {"id": "b", oops');
    transport.last.event('upsert', { stream: { id: 'c', args: ['-i', 'x'], restart: { backoffMax: 'soon' }, colour: 'red' } });
    transport.last.event('upsert', { stream: { id: 'd', args: ['-i', '${HOME}'] } });
    transport.last.event('remove', { id: 42 });
    transport.last.event('snapshot', { streams: 'all of them' });
    transport.last.event('upsert', ['not', 'an', 'object']);
    transport.last.event('mystery', { what: 'ever' });
    transport.last.send('data: an unnamed message\n\n');
    transport.last.event('upsert', { stream: entry('e') });
    await s.idle();

    expect(await ids()).toEqual(['a', 'e']);
    expect(transport.connections).toHaveLength(1);
    expect(transport.last.aborted).toBe(false);
    expect(s.status()).toMatchObject({ connected: true, skippedEvents: 6 });
    const issues = logged.filter((l) => l.level === 'warn').flatMap((l) => l.obj.issues as string[]);
    expect(issues).toEqual([
      '(root): not valid JSON',
      expect.stringMatching(/^stream\.restart\.backoffMax: /),
      'stream.colour: unknown key',
      expect.stringMatching(/^stream\.args\[1\]: environment variables/),
      'id: expected a stream id',
      'version: expected a string or a number',
      'streams: expected a list of stream entries',
      '(root): expected {"stream": {…}}',
    ]);
  });

  it('applies the good entries of a snapshot with bad ones, and never removes a stream for a bad entry', async () => {
    const s = makeSource();
    transport.last.open();
    transport.last.event('snapshot', { version: 1, streams: [entry('a'), entry('b'), entry('c')] });
    await s.idle();
    const before = await generations();

    transport.last.event('snapshot', { version: 2, streams: [entry('a'), { id: 'b', args: [] }, entry('d'), entry('d', { name: 'twin' })] });
    await s.idle();
    expect(Object.keys(await generations())).toEqual(['a', 'b', 'd']);
    expect((await generations()).b).toBe(before.b);
    expect((await store.getStream('d'))?.spec.name).toBe('d');
    const warn = logged.find((l) => l.level === 'warn');
    expect(warn?.obj.issues).toEqual([
      'streams[1].args: must not be empty',
      'streams[3].id: duplicate id "d" (the first entry wins)',
      '(the entries above were skipped; their streams are left as they are)',
    ]);
    expect(s.status().version).toBe(2);

    // An entry without a usable id: nothing can be matched, so nothing is removed.
    transport.last.event('snapshot', { version: 3, streams: [entry('a'), { name: 'who am I' }] });
    await s.idle();
    expect(Object.keys(await generations())).toEqual(['a', 'b', 'd']);
  });

  it('refuses streams owned by the file or the API, naming the owner', async () => {
    const fileSpec = loadConfigText(`streams:\n  - id: from-file\n    name: x\n    args: [-i, in, -f, flv, out]\n`, {}).streams[0];
    if (!fileSpec) throw new Error('no stream');
    await upsertOwned(store, 'file', fileSpec);
    const s = makeSource();
    transport.last.open();
    transport.last.event('upsert', { stream: entry('from-file', { name: 'hijack' }) });
    transport.last.event('remove', { id: 'from-file' });
    transport.last.event('snapshot', { version: 5, streams: [entry('from-file')] });
    await s.idle();
    expect(await store.getStream('from-file')).toMatchObject({ owner: 'file', spec: { name: 'x' } });
    const errors = logged.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toEqual([
      'controller upsert refused: stream "from-file" is owned by file; controller may not change it',
      'controller remove refused: stream "from-file" is owned by file; controller may not change it',
      'controller stream refused: stream "from-file" is owned by file; controller may not change it',
    ]);
  });

  it('reconnects when no event or comment arrives within the heartbeat timeout', async () => {
    const s = makeSource({ heartbeatTimeoutMs: 3_000 });
    transport.last.open();
    for (let i = 0; i < 5; i++) {
      clock.advance(2_000);
      transport.last.event('heartbeat', '{}');
    }
    clock.advance(2_000);
    transport.last.send(': keep-alive comment\n\n');
    clock.advance(2_999);
    expect(transport.last.aborted).toBe(false);
    clock.advance(1);
    expect(transport.last.aborted).toBe(true);
    await flush();
    expect(s.status()).toMatchObject({ connected: false, lastError: 'no event for 3000 ms' });
    clock.advance(1_000);
    expect(transport.connections).toHaveLength(2);
  });

  it('gives up on a controller that never answers after the heartbeat timeout', () => {
    makeSource({ heartbeatTimeoutMs: 10_000 });
    clock.advance(10_000);
    expect(transport.last.aborted).toBe(true);
  });

  it('an oversized event breaks the stream (the parser cannot go on) and a reconnect follows', async () => {
    const s = makeSource({ maxEventChars: 1_000 });
    transport.last.open();
    transport.last.send(`event: upsert\ndata: ${'x'.repeat(2_000)}`);
    expect(transport.last.aborted).toBe(true);
    await flush();
    expect(s.status()).toMatchObject({ connected: false, skippedEvents: 1, lastError: 'an event exceeded the size limit' });
  });

  it('reconnects for a fresh snapshot when the store cannot take an event', async () => {
    const s = makeSource();
    transport.last.open();
    await store.close();
    transport.last.event('upsert', { stream: entry('a') });
    await s.idle();
    expect(transport.last.aborted).toBe(true);
    expect(logged.some((l) => l.level === 'error' && l.msg.includes('reconnecting for a fresh snapshot'))).toBe(true);
  });

  it('redacts credentials in the URL it reports', () => {
    const s = makeSource({ url: 'https://edge:hunter2@controller.example/events?token=abc' });
    expect(s.status().url).not.toContain('hunter2');
    expect(s.status().url).not.toContain('abc');
  });

  it('close() disconnects and stops reconnecting', async () => {
    const s = makeSource();
    transport.last.open();
    await s.close();
    expect(transport.last.aborted).toBe(true);
    clock.advance(60_000);
    expect(transport.connections).toHaveLength(1);
    expect(s.status().connected).toBe(false);
  });
});

describe('prefixIssue', () => {
  it.each([
    ['streams[2]', '(root): expected a JSON object', 'streams[2]: expected a JSON object'],
    ['streams[2]', 'restart.backoffMax: bad', 'streams[2].restart.backoffMax: bad'],
    ['stream', '["odd key"]: unknown key', 'stream["odd key"]: unknown key'],
  ])('%s + %s', (prefix, issue, expected) => {
    expect(prefixIssue(prefix, issue)).toBe(expected);
  });
});
