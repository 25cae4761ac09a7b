/**
 * RTMP server adapters against a real nginx-rtmp with real ffmpeg publishers, and the SRS and
 * MediaMTX adapters against fake control APIs (node:http on 127.0.0.1:0) that imitate theirs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRtmpServer } from '../../src/adapters/rtmp/create-rtmp-server.js';
import { RtmpServerError } from '../../src/adapters/rtmp/errors.js';
import { MediaMtxServer } from '../../src/adapters/rtmp/mediamtx.js';
import { NginxRtmpServer } from '../../src/adapters/rtmp/nginx-rtmp.js';
import { SrsServer } from '../../src/adapters/rtmp/srs.js';
import { clearStaleSession, isAlreadyPublishingError } from '../../src/watchdog/stale-session.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { Publisher, RtmpServer } from '../../src/ports/rtmp-server.js';
import { startFakeMediaMtx, startFakeSrs, type FakeMediaServer } from '../helpers/fake-media-servers.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, freePort, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { processesInGroup } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const nginxPath = findNginxRtmp();

/** Awaits a rejection and returns it as an RtmpServerError (fails the test otherwise). */
async function rejection(promise: Promise<unknown>): Promise<RtmpServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RtmpServerError);
  return error as RtmpServerError;
}

describe.skipIf(ffmpegPath === undefined || nginxPath === undefined)('nginx-rtmp adapter with real ffmpeg publishers', () => {
  let nginx: NginxRtmp;
  let server: NginxRtmpServer;
  const publishers: LavfiPublisher[] = [];

  const publish = (name: string): LavfiPublisher => {
    const p = startLavfiPublisher(ffmpegPath ?? 'ffmpeg', nginx.rtmpUrl('live', name), 'normal');
    publishers.push(p);
    return p;
  };

  beforeAll(async () => {
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    server = new NginxRtmpServer({ id: 'local', statUrl: nginx.statUrl, controlUrl: nginx.controlUrl }, { clock: systemClock, timeoutMs: 3_000 });
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.stop()));
    for (const p of publishers) expect(processesInGroup(p.pid, { includeZombies: false })).toEqual([]);
    await nginx.stop();
  });

  it('lists a real publisher with its client id, address and inbound bitrate', async () => {
    publish('ours-secret-key');
    publish('other-stream');
    const ours = await waitFor(
      async () => {
        const found = await server.findPublisher('live', 'ours-secret-key');
        return found !== undefined && (found.bitrateKbps ?? 0) > 50 ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'nginx-rtmp to report our publisher with a bitrate' },
    );
    expect(ours.app).toBe('live');
    expect(ours.clientId).toMatch(/^\d+$/);
    expect(ours.address).toBe('127.0.0.1');
    expect(ours.bytesIn).toBeGreaterThan(10_000);
    expect(ours.publishingSinceMs).toBeLessThanOrEqual(Date.now());
    expect(ours.publishingSinceMs).toBeGreaterThan(Date.now() - 60_000);
    const all = await server.listPublishers();
    expect(all.map((p) => `${p.app}/${p.name}`).sort()).toEqual(['live/other-stream', 'live/ours-secret-key']);
  });

  it('drops exactly our publisher: the other one on the same app keeps publishing', async () => {
    const ours = await server.findPublisher('live', 'ours-secret-key');
    const other = await server.findPublisher('live', 'other-stream');
    if (ours === undefined || other === undefined) throw new Error('publishers missing');
    const oursProcess = publishers[0];

    expect(await server.dropPublisher(ours)).toBe(true);
    await nginx.waitForNotPublishing('live', 'ours-secret-key', { timeoutMs: 10_000 });
    expect(await oursProcess?.exited).not.toBe(0); // ffmpeg notices and fails

    // The other publisher is still there, with the same session, and its bytes keep growing.
    const bytesBefore = (await server.findPublisher('live', 'other-stream'))?.bytesIn ?? 0;
    await waitFor(async () => ((await server.findPublisher('live', 'other-stream'))?.bytesIn ?? 0) > bytesBefore + 20_000, {
      timeoutMs: 10_000,
      description: 'the other publisher to keep sending',
    });
    expect((await server.findPublisher('live', 'other-stream'))?.clientId).toBe(other.clientId);
    expect(publishers[1]?.running()).toBe(true);

    // Dropping it again: already gone.
    expect(await server.dropPublisher(ours)).toBe(false);
  });

  it('never drops a newer session of the same name with an old publisher record (clientid)', async () => {
    const newer = publish('ours-secret-key');
    const current = await waitFor(() => server.findPublisher('live', 'ours-secret-key'), {
      timeoutMs: 15_000,
      description: 'the republished stream',
    });
    const stale: Publisher = { ...current, clientId: '999999' };
    expect(await server.dropPublisher(stale)).toBe(false);
    expect((await server.findPublisher('live', 'ours-secret-key'))?.clientId).toBe(current.clientId);
    expect(newer.running()).toBe(true);
    await newer.stop();
    await nginx.waitForNotPublishing('live', 'ours-secret-key', { timeoutMs: 10_000 });
  });

  it('clears a stale session so a republish is not refused with "Already publishing"', async () => {
    const old = publish('stale-key');
    await nginx.waitForPublishing('live', 'stale-key', { timeoutMs: 15_000 });
    // While the old session holds the name, nginx-rtmp refuses a second publisher.
    const refused = publish('stale-key');
    const code = await refused.exited;
    expect(code).not.toBe(0);
    expect(isAlreadyPublishingError(refused.stderr())).toBe(true);
    expect(old.running()).toBe(true);

    const outcome = await clearStaleSession(server, { app: 'live', name: 'stale-key' }, { clock: systemClock, timeoutMs: 10_000, pollMs: 100 });
    expect(outcome).toMatchObject({ found: true, drops: 1 });
    expect(outcome.waitedMs).toBeLessThan(10_000);
    expect(await server.findPublisher('live', 'stale-key')).toBeUndefined();

    const fresh = publish('stale-key');
    await nginx.waitForPublishing('live', 'stale-key', { timeoutMs: 15_000 });
    expect(fresh.running()).toBe(true);
    await fresh.stop();
  });

  it('reports an unreachable or wrong endpoint with a named error', async () => {
    const port = await freePort();
    const down = new NginxRtmpServer({ id: 'down', statUrl: `http://127.0.0.1:${port}/stat`, controlUrl: `http://127.0.0.1:${port}/control` }, { clock: systemClock });
    const unreachable = await rejection(down.listPublishers());
    expect(unreachable.code).toBe('RTMP_SERVER_UNREACHABLE');
    expect(unreachable.message).toMatch(/^RTMP server "down": GET \/stat: .*ECONNREFUSED/);

    const nowhere = `http://127.0.0.1:${nginx.httpPort}/nothing-here`;
    const wrong = new NginxRtmpServer({ id: 'wrong', statUrl: nowhere, controlUrl: nginx.controlUrl }, { clock: systemClock });
    const notFound = await rejection(wrong.listPublishers());
    expect(notFound.code).toBe('RTMP_SERVER_HTTP_STATUS');
    expect(notFound.status).toBe(404);

    const badControl = new NginxRtmpServer({ id: 'ctl', statUrl: nginx.statUrl, controlUrl: nowhere }, { clock: systemClock });
    const dropError = await rejection(badControl.dropPublisher({ app: 'live', name: 'secret-name', clientId: '1', bytesIn: 0 }));
    expect(dropError.code).toBe('RTMP_SERVER_HTTP_STATUS');
    expect(dropError.message).not.toContain('secret-name');
  });
});

describe('SRS adapter against a fake SRS API', () => {
  let srs: FakeMediaServer;
  let server: RtmpServer;

  beforeEach(async () => {
    srs = await startFakeSrs();
    srs.publishers = [
      { app: 'live', name: 'srs-secret-key', id: 'o7e15a0p', ip: '10.1.2.3', bytes: 8_196_493, kbps: 2436 },
      { app: 'live', name: 'other', id: '3x1f9c2d', ip: '10.1.2.4', bytes: 1_000, kbps: 12 },
    ];
    server = createRtmpServer({ id: 'srs1', type: 'srs', apiUrl: `${srs.url}/` }, { clock: systemClock, timeoutMs: 500 });
  });
  afterEach(async () => {
    await srs.close();
  });

  it('lists and finds publishers with bitrate, address and start time', async () => {
    expect(server).toBeInstanceOf(SrsServer);
    const found = await server.findPublisher('live', 'srs-secret-key');
    expect(found).toMatchObject({ app: 'live', name: 'srs-secret-key', clientId: 'o7e15a0p', bytesIn: 8_196_493, bitrateKbps: 2436, address: '10.1.2.3' });
    expect(found?.publishingSinceMs).toBeGreaterThan(Date.now() - 20_000);
    expect(await server.listPublishers()).toHaveLength(2);
    expect(srs.http.requests.some((r) => r.path === '/api/v1/streams' && r.query.get('count') === '1000')).toBe(true);
  });

  it('kicks exactly our client with DELETE /api/v1/clients/{id}', async () => {
    const ours = await server.findPublisher('live', 'srs-secret-key');
    if (ours === undefined) throw new Error('not found');
    expect(await server.dropPublisher(ours)).toBe(true);
    expect(srs.http.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/v1/clients/o7e15a0p']);
    expect((await server.listPublishers()).map((p) => p.name)).toEqual(['other']);
    expect(await server.dropPublisher(ours)).toBe(false); // code 2049: already gone
  });

  it('a failing clients list only loses the extras', async () => {
    srs.faults.set('/api/v1/clients', 'http-500');
    const found = await server.findPublisher('live', 'srs-secret-key');
    expect(found).toMatchObject({ clientId: 'o7e15a0p', bitrateKbps: 2436 });
    expect(found?.address).toBeUndefined();
  });

  it.each([
    ['malformed', 'RTMP_SERVER_BAD_RESPONSE', /not JSON/],
    ['http-500', 'RTMP_SERVER_HTTP_STATUS', /HTTP 500 \(internal error\)/],
    ['api-error', 'RTMP_SERVER_BAD_RESPONSE', /SRS answered code 1000/],
    ['hang', 'RTMP_SERVER_TIMEOUT', /no answer within 0.5 s/],
  ] as const)('streams list %s → %s', async (fault, code, message) => {
    srs.faults.set('/api/v1/streams', fault);
    const error = await rejection(server.listPublishers());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^RTMP server "srs1": GET \/api\/v1\/streams/);
  });

  it('delete errors are named and never carry the key', async () => {
    const ours = await server.findPublisher('live', 'srs-secret-key');
    if (ours === undefined) throw new Error('not found');
    srs.faults.set('/api/v1/clients/', 'api-error');
    const rejected = await rejection(server.dropPublisher(ours));
    expect(rejected.code).toBe('RTMP_SERVER_REJECTED');
    srs.faults.set('/api/v1/clients/', 'malformed');
    expect((await rejection(server.dropPublisher(ours))).code).toBe('RTMP_SERVER_BAD_RESPONSE');
    srs.faults.set('/api/v1/clients/', 'http-500');
    const failed = await rejection(server.dropPublisher(ours));
    expect(failed.code).toBe('RTMP_SERVER_HTTP_STATUS');
    for (const e of [rejected, failed]) expect(e.message).not.toContain('srs-secret-key');
  });

  it('honours the caller abort signal', async () => {
    srs.faults.set('/api/v1/streams', 'hang');
    const slow = createRtmpServer({ id: 'srs1', type: 'srs', apiUrl: srs.url }, { clock: systemClock, timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = slow.listPublishers({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).code).toBe('RTMP_SERVER_ABORTED');
  });
});

describe('MediaMTX adapter against a fake MediaMTX API', () => {
  let mtx: FakeMediaServer;
  let server: RtmpServer;

  beforeEach(async () => {
    mtx = await startFakeMediaMtx(2);
    mtx.publishers = [
      { app: 'live', name: 'mtx-secret-key', id: '5f9f2a8c-64b4-4e0c-a1f2-6b3d2c1e0a9b', ip: '127.0.0.1', bytes: 1_000_000, kbps: 0 },
      { app: 'live', name: 'b', id: '0c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', ip: '127.0.0.2', bytes: 10, kbps: 0 },
      { app: 'live', name: 'c', id: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a', ip: '127.0.0.3', bytes: 10, kbps: 0 },
    ];
    server = createRtmpServer({ id: 'mtx', type: 'mediamtx', apiUrl: mtx.url }, { clock: systemClock, timeoutMs: 500 });
  });
  afterEach(async () => {
    await mtx.close();
  });

  it('reads every page and adds addresses from the RTMP connection list', async () => {
    expect(server).toBeInstanceOf(MediaMtxServer);
    const all = await server.listPublishers();
    expect(all.map((p) => p.name)).toEqual(['mtx-secret-key', 'b', 'c']);
    expect(all[2]).toMatchObject({ app: 'live', clientId: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a', address: '127.0.0.3:50000', handle: 'rtmpConn' });
    const pages = mtx.http.requests.filter((r) => r.path === '/v3/paths/list').map((r) => r.query.get('page'));
    expect(pages).toEqual(['0', '1']);
  });

  it('derives the inbound bitrate from bytesReceived between two looks', async () => {
    expect((await server.findPublisher('live', 'mtx-secret-key'))?.bitrateKbps).toBeUndefined();
    const started = Date.now();
    await waitFor(() => Date.now() - started >= 400, { description: '400 ms to pass', intervalMs: 20 });
    const first = mtx.publishers[0];
    if (first === undefined) throw new Error('no publisher');
    first.bytes += 100_000; // 800 kbit
    const rate = (await server.findPublisher('live', 'mtx-secret-key'))?.bitrateKbps ?? 0;
    const elapsedAtMostS = (Date.now() - started) / 1000 + 0.05;
    // 800 kbit over the time between the two looks: at least 400 ms, at most what has passed.
    expect(rate).toBeGreaterThanOrEqual(800 / elapsedAtMostS);
    expect(rate).toBeLessThanOrEqual(800 / 0.4 + 1);
  });

  it('kicks exactly our session with POST /v3/rtmpconns/kick/{id}', async () => {
    const ours = await server.findPublisher('live', 'mtx-secret-key');
    if (ours === undefined) throw new Error('not found');
    expect(await server.dropPublisher(ours)).toBe(true);
    expect(mtx.http.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/v3/rtmpconns/kick/5f9f2a8c-64b4-4e0c-a1f2-6b3d2c1e0a9b',
    ]);
    expect((await server.listPublishers()).map((p) => p.name)).toEqual(['b', 'c']);
    expect(await server.dropPublisher(ours)).toBe(false); // 404
  });

  it('refuses to kick a source that is not a publishing session', async () => {
    const error = await rejection(server.dropPublisher({ app: '', name: 'cam', clientId: '', bytesIn: 0, handle: 'rtspSource' }));
    expect(error.code).toBe('RTMP_SERVER_UNSUPPORTED');
  });

  it.each([
    ['malformed', 'RTMP_SERVER_BAD_RESPONSE'],
    ['http-500', 'RTMP_SERVER_HTTP_STATUS'],
    ['hang', 'RTMP_SERVER_TIMEOUT'],
  ] as const)('paths list %s → %s; a failing connection list only loses addresses', async (fault, code) => {
    mtx.faults.set('/v3/rtmpconns/list', fault);
    const all = await server.listPublishers();
    expect(all).toHaveLength(3);
    expect(all[0]?.address).toBeUndefined();
    mtx.faults.set('/v3/paths/list', fault);
    expect((await rejection(server.listPublishers())).code).toBe(code);
  });

  it('kick errors are named and never carry the key', async () => {
    const ours = await server.findPublisher('live', 'mtx-secret-key');
    if (ours === undefined) throw new Error('not found');
    mtx.faults.set('/v3/rtmpconns/kick', 'http-500');
    const error = await rejection(server.dropPublisher(ours));
    expect(error.code).toBe('RTMP_SERVER_HTTP_STATUS');
    expect(error.message).not.toContain('mtx-secret-key');
  });
});
