/**
 * A tiny scripted HTTP server on 127.0.0.1:0 for tests of HTTP clients: each request goes to
 * `handle`, which answers with a status and a body — or hangs (never answers) until the server
 * closes. Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  readonly status?: number;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Never answer (the request stays open until the server closes). */
  readonly hang?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The request body, as text. */
  readonly body: string;
}

export interface FakeHttpServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeHttpServer(handle: (request: RecordedRequest) => FakeReply): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(req, res, body));
  });
  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', path: url.pathname, query: url.searchParams, body };
    requests.push(recorded);
    let reply: FakeReply;
    try {
      reply = handle(recorded);
    } catch (error) {
      reply = { status: 500, body: `handler threw: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (reply.hang === true) {
      open.add(res);
      res.once('close', () => open.delete(res));
      return;
    }
    const send = (): void => {
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, {
        'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    };
    if (reply.delayMs === undefined) send();
    else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
