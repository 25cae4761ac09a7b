/**
 * A stream on an engine pool, end to end: the built daemon CLI supervising real ffmpeg that reads
 * `http://{engine}/stream.ts` from two fake engines on 127.0.0.1 (tiny HTTP servers answering the
 * Acestream status call and serving an MPEG-TS file made by ffmpeg beforehand). The stream starts
 * on engine a; a is made unhealthy; the stream moves to engine b, keeps running there, and the
 * engines' usage says so.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { CLI, ROOT, stopChild } from '../helpers/built-cli.js';
import { freePort } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { recordSse } from '../helpers/sse-recorder.js';
import { waitFor } from '../helpers/wait-for.js';
import { daemonConfigHead } from '../helpers/daemon-process.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);

interface FakeEngine {
  readonly port: number;
  healthy: boolean;
  /** GET /stream.ts requests served. */
  streamRequests: number;
  close(): Promise<void>;
}

async function startFakeEngine(media: string): Promise<FakeEngine> {
  const sockets = new Set<import('node:net').Socket>();
  const engine = { healthy: true, streamRequests: 0 } as { healthy: boolean; streamRequests: number };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/server/api' && url.searchParams.get('method') === 'get_status') {
      response.writeHead(engine.healthy ? 200 : 500, { 'content-type': 'application/json' });
      response.end(engine.healthy ? JSON.stringify({ result: { status: 'idle' }, error: null }) : 'engine broken');
      return;
    }
    if (url.pathname === '/stream.ts') {
      engine.streamRequests += 1;
      response.writeHead(200, { 'content-type': 'video/mp2t' });
      createReadStream(media).pipe(response);
      return;
    }
    response.writeHead(404).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(engine, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

let tempDir: string;
let a: FakeEngine;
let b: FakeEngine;
let daemon: ChildProcess | undefined;

beforeAll(async () => {
  if (ffmpegPath === undefined) return;
  tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-engine-streams-'));
  const media = path.join(tempDir, 'media.ts');
  // Two minutes of a tiny test picture: enough for the stream to read in real time (-re) throughout.
  execFileSync(ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '120', '-c:v', 'mpeg2video', '-b:v', '100k', '-f', 'mpegts', media]);
  a = await startFakeEngine(media);
  b = await startFakeEngine(media);
}, 60_000);

afterAll(async () => {
  if (ffmpegPath === undefined) return;
  await stopChild(daemon);
  await a.close();
  await b.close();
  rmSync(tempDir, { recursive: true, force: true });
});

describe.skipIf(ffmpegPath === undefined)('a stream on an engine pool (real ffmpeg)', () => {
  it('starts on an engine, and moves to another engine when its engine turns unhealthy', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const file = path.join(tempDir, 'config.yaml');
    writeFileSync(
      file,
      `
${daemonConfigHead({ port, store: path.join(tempDir, 'streamwarden.db'), ffmpeg: ffmpegPath ?? 'ffmpeg' })}
engines:
  - { id: a, host: 127.0.0.1, port: ${a.port}, labels: { pool: test } }
  - { id: b, host: 127.0.0.1, port: ${b.port}, labels: { pool: test } }
enginePolling: { interval: 200ms, timeout: 1s, failureThreshold: 1, successThreshold: 1, grace: 0s }
streams:
  - id: cam
    engine: { labels: { pool: test } }
    args: [-re, -i, "http://{engine}/stream.ts", -c, copy, -f, "null", "-"]
    restart: { backoffInitial: 200ms }
`,
    );
    const child = spawn(process.execPath, [CLI, 'run', '--config', file], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon = child;
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

    const get = async <T>(url: string): Promise<T> => (await (await fetch(`${base}${url}`, { signal: AbortSignal.timeout(5_000) })).json()) as T;
    const engines = (): Promise<{ id: string; streams: string[]; health_status: string }[]> => get('/api/v1/engines');
    const stream = (): Promise<StreamDto> => get('/api/v1/streams/cam');
    const streamsOn = async (id: string): Promise<string[]> => (await engines()).find((e) => e.id === id)?.streams ?? [];

    await waitFor(async () => (await fetch(`${base}/livez`, { signal: AbortSignal.timeout(1_000) })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `${base}/livez to answer 200`,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; daemon output: ${output.slice(-2_000)}`);
    });
    // Until a poll judged an engine healthy the stream waits (never started with a bad host), then runs on a.
    await waitFor(async () => (await stream()).state === 'running' && (await streamsOn('a')).includes('cam'), {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `cam to run on engine a (daemon output: ${output.slice(-1_500)})`,
    });
    expect(a.streamRequests).toBeGreaterThanOrEqual(1);
    expect(b.streamRequests).toBe(0);
    expect((await stream()).engine).toBe('a');

    // The event stream of cam, recorded from here on.
    const sse = new AbortController();
    const events = await fetch(`${base}/api/v1/events?stream=cam`, { signal: sse.signal });
    const recording = recordSse(events);

    a.healthy = false;
    await waitFor(async () => (await streamsOn('b')).includes('cam') && b.streamRequests >= 1, {
      timeoutMs: 15_000,
      intervalMs: 100,
      description: `cam to move to engine b (daemon output: ${output.slice(-1_500)})`,
    });
    expect(await streamsOn('a')).toEqual([]);
    expect((await stream()).engine).toBe('b');
    // It keeps running on b: progress advances after the move.
    const framesAfterMove = async (): Promise<number> => (await stream()).progress?.frames ?? 0;
    await waitFor(async () => (await stream()).state === 'running', { timeoutMs: 15_000, intervalMs: 100, description: 'cam to run again on b' });
    const first = await framesAfterMove();
    await waitFor(async () => (await framesAfterMove()) > first, { timeoutMs: 10_000, intervalMs: 200, description: 'cam to make progress on b' });
    expect(output).toContain('stream moved to another engine');
    // One event says where it moved from and to.
    await waitFor(() => recording.text().includes('"action":"engine-switch"'), { timeoutMs: 5_000, intervalMs: 50, description: 'the engine-switch event (SSE)' });
    sse.abort();
    await recording.done;
    const switches = recording.text().split('\n').filter((line) => line.includes('"action":"engine-switch"'));
    expect(switches).toHaveLength(1);
    expect(switches[0]).toContain('"fromEngine":"a","toEngine":"b"');

    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
