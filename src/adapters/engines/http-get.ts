/**
 * One HTTP/1.1 GET for an engine poll, on a plain TCP socket with http-parser-js reading the answer.
 *
 * Why not node:http: a poll is one short request per engine every 30 s, and a round of 10,000
 * engines must start every poll within about a second (each hung engine's poll ends only at its
 * own start + timeout). node:http's request and response streams and its agent cost ~170 µs of
 * CPU per poll on loopback; this costs ~110 µs, most of it the kernel's connect, write and close.
 *
 * What it keeps from a full client: `Connection: close` (no idle socket per engine), chunked and
 * close-delimited bodies, a header and a body size limit, the abort signal, one settle. It never
 * rejects on an HTTP status; it rejects on network errors, a malformed answer and aborts.
 */
import net from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { hostInUrl, STATUS_PATH_PATTERN } from '../../domain/engines/engine-spec.js';

export interface HttpGetTarget {
  readonly host: string;
  readonly port: number;
  /** Absolute path with query, e.g. `/server/api?api_version=3&method=get_status`. */
  readonly path: string;
}

export interface HttpGetResult {
  readonly status: number;
  readonly body: string;
  readonly truncated: boolean;
  /** From the start of the connection to the end of the body (or the cut at the size limit). */
  readonly elapsedMs: number;
}

export class InvalidHttpTargetError extends Error {
  override name = 'InvalidHttpTargetError';
}

const MAX_HEADER_BYTES = 16 * 1024;

export function httpGet(target: HttpGetTarget, signal: AbortSignal, maxBytes: number): Promise<HttpGetResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    let request: string;
    try {
      request = requestText(target);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const started = performance.now();
    const socket = net.connect({ host: target.host, port: target.port });
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser.maxHeaderSize = MAX_HEADER_BYTES;
    const chunks: Buffer[] = [];
    let status = 0;
    let total = 0;
    let settled = false;

    const finish = (outcome: { result: HttpGetResult } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.result);
    };
    const answer = (truncated: boolean): void =>
      finish({ result: { status, body: Buffer.concat(chunks).toString('utf8'), truncated, elapsedMs: performance.now() - started } });
    const onAbort = (): void => finish({ error: abortError() });
    signal.addEventListener('abort', onAbort, { once: true });

    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      status = info.statusCode;
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      if (settled) return;
      const room = maxBytes - total;
      if (length > room) {
        chunks.push(chunk.subarray(offset, offset + room));
        total = maxBytes;
        answer(true);
        return;
      }
      chunks.push(chunk.subarray(offset, offset + length));
      total += length;
    };
    parser[HTTPParser.kOnMessageComplete] = () => answer(false);

    socket.write(request); // sent once connected
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      const parsed = parser.execute(chunk);
      if (parsed instanceof Error) finish({ error: new Error(`malformed HTTP answer: ${parsed.message}`) });
    });
    socket.on('end', () => {
      if (settled) return;
      const failure = parser.finish();
      if (failure instanceof Error) finish({ error: new Error(`connection closed mid-answer: ${failure.message}`) });
    });
    socket.on('error', (error) => finish({ error }));
    // Closed without an answer (or mid-headers): 'end' settled nothing.
    socket.on('close', () => finish({ error: new Error(status === 0 ? 'connection closed without an answer' : 'connection closed before the body ended') }));
  });
}

function requestText(target: HttpGetTarget): string {
  // Sent as is: a CR or LF would change the request. Engine specs are validated already; this is the last line.
  if (!STATUS_PATH_PATTERN.test(target.path)) throw new InvalidHttpTargetError(`path must start with / and hold only visible ASCII: ${JSON.stringify(target.path)}`);
  return `GET ${target.path} HTTP/1.1\r\nHost: ${hostInUrl(target.host)}:${target.port}\r\nAccept: application/json\r\nUser-Agent: streamwarden\r\nConnection: close\r\n\r\n`;
}

/** What an aborted poll rejects with (describeNetworkError turns it into `aborted`). */
function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

/** A network error as one short line: `connect ECONNREFUSED 127.0.0.1:9` → as is; abort → `aborted`. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'AbortError') return 'aborted';
  return error.message.length > 200 ? `${error.message.slice(0, 200)}…` : error.message;
}
