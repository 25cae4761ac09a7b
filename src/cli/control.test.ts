import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appHarness } from '../../test/helpers/app-harness.js';
import type { StreamDto } from '../http/stream-dto.js';
import { controlStream } from './control.js';
import { showStatus } from './status.js';

/** A fetch that answers from the app with inject: the CLI's requests, no network. */
function injectFetch(app: FastifyInstance, seen: { method: string; url: string; authorization: string | undefined }[] = []): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const method = (init?.method ?? 'GET') as 'GET' | 'POST';
    seen.push({ method, url: url.pathname, authorization: headers.get('authorization') ?? undefined });
    const response = await app.inject({ method, url: url.pathname + url.search, headers: Object.fromEntries(headers) });
    return new Response(response.statusCode === 204 ? null : response.body, {
      status: response.statusCode,
      headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') },
    });
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (line: string) => out.push(line), error: (line: string) => err.push(line) };
}

describe('streamwarden start|stop|restart', () => {
  it('POSTs to the stream action and prints what happened: exit 0', async () => {
    const h = await appHarness();
    const seen: { method: string; url: string; authorization: string | undefined }[] = [];
    const io = capture();
    const code = await controlStream('start', 'idle', { url: 'http://127.0.0.1:8787', json: false, fetch: injectFetch(h.app, seen) }, io.write, io.error);
    expect(code).toBe(0);
    expect(seen).toEqual([{ method: 'POST', url: '/api/v1/streams/idle/start', authorization: undefined }]);
    expect(io.out).toEqual(['idle: start requested (state starting, desired running)']);
    expect(io.err).toEqual([]);
    expect(h.supervisor.get('idle').observed).toBe('starting');
  });

  it('--json prints the stream', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const io = capture();
    const code = await controlStream('stop', 'cam', { url: 'http://127.0.0.1:8787', json: true, fetch: injectFetch(h.app) }, io.write, io.error);
    expect(code).toBe(0);
    expect(JSON.parse(io.out.join('\n'))).toMatchObject({ id: 'cam', desired: 'stopped', state: 'stopping' } satisfies Partial<StreamDto>);
  });

  it('exits 1 with the API’s error message on a 4xx', async () => {
    const h = await appHarness();
    const io = capture();
    expect(await controlStream('restart', 'nope', { url: 'http://127.0.0.1:8787', json: false, fetch: injectFetch(h.app) }, io.write, io.error)).toBe(1);
    expect(io.err).toEqual(['streamwarden: restart nope: no stream with id "nope" (404 STREAM_NOT_FOUND)']);
    expect(io.out).toEqual([]);

    const illegal = capture();
    expect(await controlStream('restart', 'idle', { url: 'http://127.0.0.1:8787', json: false, fetch: injectFetch(h.app) }, illegal.write, illegal.error)).toBe(1);
    expect(illegal.err[0]).toMatch(/start it instead \(409 ILLEGAL_TRANSITION\)$/);
  });

  it('sends the token as a bearer token; a wrong one is reported', async () => {
    const h = await appHarness({ token: 'cli-token-1234' });
    const seen: { method: string; url: string; authorization: string | undefined }[] = [];
    const ok = capture();
    expect(await controlStream('start', 'idle', { url: 'http://127.0.0.1:8787', json: false, token: 'cli-token-1234', fetch: injectFetch(h.app, seen) }, ok.write, ok.error)).toBe(0);
    expect(seen[0]?.authorization).toBe('Bearer cli-token-1234');
    const bad = capture();
    expect(await controlStream('stop', 'idle', { url: 'http://127.0.0.1:8787', json: false, token: 'wrong', fetch: injectFetch(h.app) }, bad.write, bad.error)).toBe(1);
    expect(bad.err).toEqual(['streamwarden: stop idle: a valid bearer token is required (401 UNAUTHORIZED)']);
  });

  it('exits 1 naming the daemon when it cannot be reached, or the status when the answer is not an API error', async () => {
    const unreachable: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }));
    const io = capture();
    expect(await controlStream('start', 'cam', { url: 'http://127.0.0.1:1', json: false, fetch: unreachable }, io.write, io.error)).toBe(1);
    expect(io.err).toEqual(['streamwarden: start cam: cannot reach the daemon at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1']);

    const proxy: typeof fetch = () => Promise.resolve(new Response('<html>bad gateway</html>', { status: 502 }));
    const other = capture();
    expect(await controlStream('stop', 'cam', { url: 'http://127.0.0.1:8787', json: false, fetch: proxy }, other.write, other.error)).toBe(1);
    expect(other.err).toEqual(['streamwarden: stop cam: POST http://127.0.0.1:8787/api/v1/streams/cam/stop answered 502']);
  });

  it('status reads the list through the same client', async () => {
    const h = await appHarness({ token: 'cli-token-1234' });
    const io = capture();
    expect(await showStatus({ url: 'http://127.0.0.1:8787', json: false, token: 'cli-token-1234', fetch: injectFetch(h.app) }, io.write, io.error)).toBe(0);
    expect(io.out[0]).toMatch(/^ID\s+STATE/);
    // Reads are open: status works without the token too.
    const open = capture();
    expect(await showStatus({ url: 'http://127.0.0.1:8787', json: false, fetch: injectFetch(h.app) }, open.write, open.error)).toBe(0);
  });
});
