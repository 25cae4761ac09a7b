/**
 * The engine poll's HTTP GET (src/adapters/engines/http-get.ts) against raw TCP servers on
 * 127.0.0.1 that answer exactly the bytes each case needs: chunked and close-delimited bodies,
 * the size limits, malformed answers, connections closed early, aborts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpGet, InvalidHttpTargetError } from '../../src/adapters/engines/http-get.js';
import { waitFor } from '../helpers/wait-for.js';

interface RawServer {
  readonly port: number;
  /** Each request's raw text, as received. */
  readonly requests: string[];
  /** Connections the client closed. */
  closed(): number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Calls `answer` once a request's headers are in. */
async function rawServer(answer: (socket: Socket) => void): Promise<RawServer> {
  const requests: string[] = [];
  let closed = 0;
  const server = createServer((socket) => {
    let text = '';
    socket.on('error', () => undefined);
    socket.on('close', () => (closed += 1));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      requests.push(text);
      answer(socket);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, closed: () => closed };
}

const get = (port: number, maxBytes = 1_000, signal = AbortSignal.timeout(5_000), path = '/server/api?x=1') => httpGet({ host: '127.0.0.1', port, path }, signal, maxBytes);

describe('httpGet', () => {
  it('sends one GET with Host and Connection: close, and reads a sized body', async () => {
    const server = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'));
    const result = await get(server.port);
    expect(result).toMatchObject({ status: 200, body: '{"ok":true}', truncated: false });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]).toBe(`GET /server/api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: application/json\r\nUser-Agent: streamwarden\r\nConnection: close\r\n\r\n`);
  });

  it('reads chunked and close-delimited bodies', async () => {
    const chunked = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'));
    expect(await get(chunked.port)).toMatchObject({ status: 200, body: '{"a":1}' });
    const delimited = await rawServer((s) => s.end('HTTP/1.0 503 Service Unavailable\r\n\r\nbusy'));
    expect(await get(delimited.port)).toMatchObject({ status: 503, body: 'busy', truncated: false });
  });

  it('cuts a body at the limit and closes the connection', async () => {
    const server = await rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5_000)}`));
    const result = await get(server.port, 100);
    expect(result).toMatchObject({ status: 200, truncated: true });
    expect(result.body).toBe('x'.repeat(100));
    await waitFor(() => server.closed() === 1, { timeoutMs: 2_000, description: 'the cut connection closed' });
  });

  it('rejects a malformed answer, headers over the limit, and a connection closed early', async () => {
    const garbage = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    await expect(get(garbage.port)).rejects.toThrow(/malformed HTTP answer/);
    // Headers that never end: past 16 KiB the answer is refused, not buffered on.
    const huge = await rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}`));
    await expect(get(huge.port)).rejects.toThrow(/malformed HTTP answer: max header size exceeded/);
    const silent = await rawServer((s) => s.end());
    await expect(get(silent.port)).rejects.toThrow('connection closed without an answer');
    const cut = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this'));
    await expect(get(cut.port)).rejects.toThrow(/closed|mid-answer/);
  });

  it('an abort settles at once and closes the socket; an aborted signal never connects', async () => {
    const hung = await rawServer(() => undefined);
    const controller = new AbortController();
    const pending = get(hung.port, 1_000, controller.signal);
    await waitFor(() => hung.requests.length === 1, { timeoutMs: 2_000, description: 'the request' });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', message: 'aborted' });
    await waitFor(() => hung.closed() === 1, { timeoutMs: 2_000, description: 'the aborted connection closed' });
    await expect(get(hung.port, 1_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(hung.requests).toHaveLength(1);
  });

  it('refuses a path that would change the request, and reports a refused connection', async () => {
    await expect(get(1, 1_000, AbortSignal.timeout(5_000), '/x\r\nX-Injected: 1')).rejects.toThrow(InvalidHttpTargetError);
    const closedPort = await rawServer(() => undefined);
    const port = closedPort.port;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
