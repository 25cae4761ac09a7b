/**
 * Records an event stream's body as text while a test runs: `text()` is what arrived so far,
 * `done` settles when the stream ends (`ended()` true) or is aborted (`ended()` false).
 */
export interface SseRecording {
  text(): string;
  /** True when the server ended the stream (not an abort). */
  ended(): boolean;
  readonly done: Promise<void>;
}

export function recordSse(response: Response): SseRecording {
  let text = '';
  let ended = false;
  const done = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) text += decoder.decode(chunk as Uint8Array, { stream: true });
      ended = true;
    } catch {
      // aborted by the test
    }
  })();
  return { text: () => text, ended: () => ended, done };
}
