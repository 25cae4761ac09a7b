import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHarness, type AppHarness, SECRET, streamSpec } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';
import type { StreamDetailDto, StreamDto } from '../stream-dto.js';

let root: string;
let hlsDir: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'streamwarden-hls-'));
  hlsDir = path.join(root, 'hls', 'cam');
  mkdirSync(hlsDir, { recursive: true });
  writeFileSync(path.join(hlsDir, 'index.m3u8'), '#EXTM3U\n#EXTINF:2.0,\nindex0.ts\n');
  writeFileSync(path.join(hlsDir, 'index0.ts'), Buffer.from([0x47, 0x40, 0x00, 0x10]));
  writeFileSync(path.join(hlsDir, 'notes.txt'), 'not media');
  writeFileSync(path.join(root, 'hls', 'secret.ts'), 'outside the folder');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function harness(): Promise<AppHarness> {
  return appHarness({
    specs: [
      streamSpec('cam', { source: { kind: 'args', args: ['-re', '-i', 'in.mp4', '-f', 'hls', path.join(hlsDir, 'index.m3u8')] } }),
      streamSpec('keyed', { source: { kind: 'pipeline', inputs: [{ url: 'lavfi:sine', options: [] }], output: path.join(root, `${SECRET}.m3u8`), encode: ['-f', 'hls'] } }),
      streamSpec('rtmp'),
    ],
  });
}

describe('GET /api/v1/streams/:id/hls/:file', () => {
  it('says in the stream DTO which streams have a preview, never for a path holding a secret', async () => {
    const h = await harness();
    const list = (await h.app.inject('/api/v1/streams')).json<StreamDto[]>();
    expect(list.map((s) => [s.id, s.preview])).toEqual([
      ['cam', { hls: '/api/v1/streams/cam/hls/index.m3u8' }],
      ['keyed', null],
      ['rtmp', null],
    ]);
    const keyed = await h.app.inject('/api/v1/streams/keyed');
    expect(keyed.json<StreamDetailDto>()).toMatchObject({ preview: null, activeInput: 'lavfi:sine' });
    expect(keyed.body).not.toContain(SECRET);
  });

  it('serves the playlist and its segments with media types and cache headers', async () => {
    const h = await harness();
    const playlist = await h.app.inject('/api/v1/streams/cam/hls/index.m3u8');
    expect(playlist.statusCode).toBe(200);
    expect(playlist.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers['cache-control']).toBe('no-store');
    expect(playlist.body).toContain('index0.ts');
    const segment = await h.app.inject('/api/v1/streams/cam/hls/index0.ts');
    expect(segment.statusCode).toBe(200);
    expect(segment.headers['content-type']).toBe('video/mp2t');
    expect(segment.rawPayload).toEqual(Buffer.from([0x47, 0x40, 0x00, 0x10]));
  });

  it.each([
    '/api/v1/streams/cam/hls/..%2Fsecret.ts',
    '/api/v1/streams/cam/hls/..%2F..%2Fcam%2Findex0.ts',
    '/api/v1/streams/cam/hls/%2Fetc%2Fpasswd',
    '/api/v1/streams/cam/hls/notes.txt',
    '/api/v1/streams/cam/hls/.index.m3u8',
    '/api/v1/streams/cam/hls/missing7.ts',
    '/api/v1/streams/cam/hls/index.m3u8%00.ts',
    '/api/v1/streams/rtmp/hls/index.m3u8',
    `/api/v1/streams/keyed/hls/${SECRET}.m3u8`,
  ])('answers 404 for %s', async (url) => {
    const response = await (await harness()).app.inject(url);
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('NOT_FOUND');
    expect(response.body).not.toContain(SECRET);
  });

  it('answers 404 STREAM_NOT_FOUND for an unknown stream', async () => {
    const response = await (await harness()).app.inject('/api/v1/streams/nope/hls/index.m3u8');
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('STREAM_NOT_FOUND');
  });
});
