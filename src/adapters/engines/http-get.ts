/**
 * A minimal GET over node:http for engine polls: no keep-alive (an engine is polled every 30 s;
 * an idle socket per engine would be thousands of sockets held for nothing), a body size limit,
 * and an abort signal. It never rejects on an HTTP status; it rejects on network errors and aborts.
 */
import http from 'node:http';

export interface HttpGetResult {
  readonly status: number;
  readonly body: string;
  readonly truncated: boolean;
}

const agent = new http.Agent({ keepAlive: false });

export function httpGet(url: string, signal: AbortSignal, maxBytes: number): Promise<HttpGetResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const request = http.get(url, { agent, signal, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      let total = 0;
      let truncated = false;
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - total;
        if (chunk.byteLength > room) {
          chunks.push(chunk.subarray(0, room));
          truncated = true;
          total = maxBytes;
          response.destroy();
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), truncated: true });
          return;
        }
        chunks.push(chunk);
        total += chunk.byteLength;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), truncated }));
      response.on('error', reject);
      // A socket closed mid-body (or aborted) without 'end' or 'error' must still settle.
      response.on('close', () => reject(new Error('connection closed before the body ended')));
    });
    request.on('error', reject);
  });
}

/** A network error as one short line: `connect ECONNREFUSED 127.0.0.1:9` → as is; abort → `aborted`. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'AbortError') return 'aborted';
  return error.message.length > 200 ? `${error.message.slice(0, 200)}…` : error.message;
}
