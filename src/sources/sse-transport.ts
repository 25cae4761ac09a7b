/**
 * The wire under the controller source: one HTTP GET that streams `text/event-stream`. Kept
 * behind a function type so the source can be unit-tested with a scripted stream.
 */
import { StreamwardenError } from '../domain/errors.js';

export interface SseRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Aborting it ends the stream (the returned promise then rejects). */
  readonly signal: AbortSignal;
}

export interface SseSink {
  /** The server answered 2xx with an event stream; chunks follow. */
  opened(): void;
  /** Decoded text, split anywhere (the SSE parser reassembles lines). */
  chunk(text: string): void;
}

/**
 * Opens the stream and feeds it to `sink`. Resolves when the server ends the stream; rejects when
 * it cannot connect, answers with something else than a 2xx event stream, the connection breaks,
 * or `signal` is aborted.
 */
export type SseTransport = (request: SseRequest, sink: SseSink) => Promise<void>;

export class ControllerHttpError extends StreamwardenError {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super('CONTROLLER_HTTP', detail);
  }
}

/** The transport on Node's fetch (http and https). */
export const fetchTransport: SseTransport = async (request, sink) => {
  const response = await fetch(request.url, { headers: { ...request.headers }, signal: request.signal, redirect: 'follow' });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.toLowerCase().startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new ControllerHttpError(
      response.status,
      response.ok ? `expected an event stream, got content-type "${type || 'none'}"` : `the controller answered HTTP ${response.status}`,
    );
  }
  sink.opened();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text !== '') sink.chunk(text);
    }
    const rest = decoder.decode();
    if (rest !== '') sink.chunk(rest);
  } finally {
    reader.releaseLock();
  }
};
