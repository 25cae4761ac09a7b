/**
 * A small reference controller: the backend side of the SSE protocol that
 * src/sources/controller-source.ts consumes, so the edge flow can be tried and tested end to end.
 *
 *   GET  /events                 SSE: `snapshot` {version, streams} on connect, then `upsert`
 *                                {version, stream} / `remove` {version, id} on every change, and
 *                                `heartbeat` {version, at} every `heartbeatMs`
 *   GET  /                       a web page listing the streams with start / stop buttons
 *   GET  /streams                {version, streams}
 *   POST /streams                a stream entry (JSON): create or replace it
 *   DELETE /streams/:id          remove it
 *   POST /streams/:id/start|stop flip its desired state (a form post from the page redirects back)
 *
 * The version is a counter that grows with every change. With `token` set, every request needs
 * `Authorization: Bearer <token>` (or `?token=` for the page and its forms). The controller sends
 * stream entries as they are, stream keys included (an edge needs them): bind it to loopback or
 * put it behind TLS and a token.
 *
 * For tests: `sendRaw` sends any frame (malformed events), `dropClients` cuts every connection,
 * `setOnline(false)` also refuses new ones (network loss) until `setOnline(true)`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { STREAM_ID_PATTERN, type DesiredState } from '../domain/stream-spec.js';
import type { JsonValue, StreamEntry } from '../config/stream-entry.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { renderPage } from './page.js';
import { errorMessage } from '../domain/error-message.js';

export interface ReferenceControllerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** The initial desired set (e.g. from loadControllerStreams). */
  readonly streams?: readonly StreamEntry[];
  /** @default 15000 */
  readonly heartbeatMs?: number;
  readonly token?: string;
  readonly clock: Clock;
  /** Bytes a client may leave unread before it is dropped. @default 4 MiB */
  readonly maxClientBacklogBytes?: number;
}

export interface ReferenceController {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** `${url}/events` */
  readonly eventsUrl: string;
  readonly port: number;
  version(): number;
  streams(): StreamEntry[];
  /** Creates or replaces an entry; pushes an upsert. Returns the new version. */
  upsert(entry: StreamEntry): number;
  /** Removes an entry; pushes a remove. False when there was none. */
  remove(id: string): boolean;
  /** Flips one stream's desired state; pushes an upsert. Undefined when there is no such stream. */
  setDesired(id: string, desired: DesiredState): StreamEntry | undefined;
  /** Replaces the whole set without telling anyone: clients see it in their next snapshot. */
  replaceAll(entries: readonly StreamEntry[]): number;
  /** Sends one raw frame to every client, e.g. a malformed event. */
  sendRaw(event: string, data: string): void;
  /** Cuts every event stream (the edges reconnect). */
  dropClients(): void;
  /** Offline: cuts every connection and refuses new ones (as a network outage would) until online again. */
  setOnline(online: boolean): void;
  /** Open event streams. */
  clientCount(): number;
  /** Event streams opened so far. */
  connectionsServed(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function frame(event: string, data: string, id?: number): string {
  // One data line per line of payload, as SSE requires.
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines}\n\n`;
}

function checkEntry(value: unknown): StreamEntry {
  if (!isRecord(value)) throw new HttpError(400, 'expected a stream entry (a JSON object)');
  if (typeof value.id !== 'string' || !STREAM_ID_PATTERN.test(value.id)) throw new HttpError(400, 'id: expected a stream id');
  if (value.desired !== undefined && value.desired !== 'running' && value.desired !== 'stopped') {
    throw new HttpError(400, 'desired: expected running or stopped');
  }
  return JSON.parse(JSON.stringify(value)) as StreamEntry;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: JsonValue | Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startReferenceController(options: ReferenceControllerOptions): Promise<ReferenceController> {
  const clock = options.clock;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBacklog = options.maxClientBacklogBytes ?? 4 * 1024 * 1024;
  const entries = new Map<string, StreamEntry>();
  for (const entry of options.streams ?? []) {
    const checked = checkEntry(entry);
    entries.set(checked.id as string, checked);
  }
  let version = 1;
  let online = true;
  let served = 0;
  const clients = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const list = (): StreamEntry[] => [...entries.values()];

  const write = (res: ServerResponse, text: string): void => {
    if (res.writableLength > maxBacklog) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  const broadcast = (text: string): void => {
    for (const res of clients) write(res, text);
  };
  const snapshotFrame = (): string => frame('snapshot', JSON.stringify({ version, streams: list() }), version);

  const upsert = (entry: StreamEntry): number => {
    const checked = checkEntry(entry);
    const id = checked.id as string;
    entries.set(id, checked);
    version++;
    broadcast(frame('upsert', JSON.stringify({ version, stream: checked }), version));
    return version;
  };
  const remove = (id: string): boolean => {
    if (!entries.delete(id)) return false;
    version++;
    broadcast(frame('remove', JSON.stringify({ version, id }), version));
    return true;
  };
  const setDesired = (id: string, desired: DesiredState): StreamEntry | undefined => {
    const current = entries.get(id);
    if (!current) return undefined;
    const next = { ...current, desired };
    upsert(next);
    return next;
  };

  let heartbeat: TimerHandle | undefined;
  const beat = (): void => {
    broadcast(frame('heartbeat', JSON.stringify({ version, at: clock.now() })));
    heartbeat = clock.setTimer(heartbeatMs, beat);
  };

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    if (!options.token) return true;
    return req.headers.authorization === `Bearer ${options.token}` || url.searchParams.get('token') === options.token;
  };

  const openEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.socket?.setNoDelay(true);
    served++;
    clients.add(res);
    res.on('close', () => clients.delete(res));
    write(res, 'retry: 1000\n\n');
    write(res, snapshotFrame());
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (!authorised(req, url)) throw new HttpError(401, 'missing or wrong token');
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const tokenQuery = options.token && url.searchParams.has('token') ? `?token=${encodeURIComponent(options.token)}` : '';

    if (method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderPage(list(), version, clients.size, tokenQuery));
      return;
    }
    if (method === 'GET' && url.pathname === '/events') return openEvents(req, res);
    if (parts[0] !== 'streams') throw new HttpError(404, 'not found');

    if (parts.length === 1 && method === 'GET') return sendJson(res, 200, { version, streams: list() });
    if (parts.length === 1 && method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (error) {
        throw error instanceof HttpError ? error : new HttpError(400, 'expected a JSON body');
      }
      const entry = checkEntry(body);
      const created = !entries.has(entry.id as string);
      return sendJson(res, created ? 201 : 200, { version: upsert(entry), stream: entry });
    }
    const id = parts[1];
    if (id === undefined) throw new HttpError(405, 'method not allowed');
    if (parts.length === 2 && method === 'DELETE') {
      if (!remove(id)) throw new HttpError(404, `no stream "${id}"`);
      res.writeHead(204).end();
      return;
    }
    const action = parts[2];
    if (parts.length === 3 && method === 'POST' && (action === 'start' || action === 'stop')) {
      await readBody(req);
      const entry = setDesired(id, action === 'start' ? 'running' : 'stopped');
      if (!entry) throw new HttpError(404, `no stream "${id}"`);
      if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        res.writeHead(303, { location: `/${tokenQuery}` }).end();
        return;
      }
      return sendJson(res, 200, { version, stream: entry });
    }
    throw new HttpError(404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = errorMessage(error);
      if (!res.headersSent) sendJson(res, status, { error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message } });
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    if (!online) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  heartbeat = clock.setTimer(heartbeatMs, beat);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const dropClients = (): void => {
    for (const res of clients) res.destroy();
    clients.clear();
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    eventsUrl: `${url}/events`,
    port: address.port,
    version: () => version,
    streams: list,
    upsert,
    remove,
    setDesired,
    replaceAll: (next) => {
      entries.clear();
      for (const entry of next) {
        const checked = checkEntry(entry);
        entries.set(checked.id as string, checked);
      }
      return ++version;
    },
    sendRaw: (event, data) => broadcast(frame(event, data)),
    dropClients,
    setOnline: (next) => {
      online = next;
      if (!next) {
        dropClients();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      }
    },
    clientCount: () => clients.size,
    connectionsServed: () => served,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        heartbeat?.cancel();
        dropClients();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
