import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMediaMtxPaths, parseMediaMtxRtmpConns, splitMediaMtxPath } from './mediamtx.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/rtmp/${name}`, import.meta.url), 'utf8');

describe('parseMediaMtxPaths', () => {
  it('lists ready paths with a source; the source type is kept for the kick', () => {
    const parsed = parseMediaMtxPaths(fixture('mediamtx-paths.json'));
    expect(parsed).toEqual({
      ok: true,
      value: {
        pageCount: 1,
        items: [
          {
            app: 'live',
            name: 'stream-key-1',
            clientId: '5f9f2a8c-64b4-4e0c-a1f2-6b3d2c1e0a9b',
            bytesIn: 1234567,
            publishingSinceMs: Date.parse('2024-05-01T10:00:00.123Z'),
            handle: 'rtmpConn',
          },
          {
            app: 'live',
            name: 'other',
            clientId: '0c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
            bytesIn: 4096,
            publishingSinceMs: Date.parse('2024-05-01T10:05:00Z'),
            handle: 'srtConn',
          },
          { app: '', name: 'cam', clientId: '', bytesIn: 999, publishingSinceMs: Date.parse('2024-05-01T09:00:00Z'), handle: 'rtspSource' },
        ],
      },
    });
  });

  it('reads the newer available / availableTime spelling', () => {
    const text = JSON.stringify({
      pageCount: 1,
      items: [{ name: 'live/k', source: { type: 'rtmpConn', id: 'id1' }, available: true, availableTime: '2025-01-01T00:00:00Z', bytesReceived: 10 }],
    });
    const parsed = parseMediaMtxPaths(text);
    expect(parsed.ok && parsed.value.items).toEqual([
      { app: 'live', name: 'k', clientId: 'id1', bytesIn: 10, publishingSinceMs: Date.parse('2025-01-01T00:00:00Z'), handle: 'rtmpConn' },
    ]);
  });

  it.each([
    ['not json', 'not JSON'],
    ['"x"', 'not a JSON object'],
    ['{"pageCount":1}', 'no "items" list'],
  ])('rejects %s', (text, reason) => {
    const parsed = parseMediaMtxPaths(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('parseMediaMtxRtmpConns', () => {
  it('reads ids and remote addresses', () => {
    const parsed = parseMediaMtxRtmpConns(fixture('mediamtx-rtmpconns.json'));
    expect(parsed.ok && parsed.value.items[0]).toEqual({
      id: '5f9f2a8c-64b4-4e0c-a1f2-6b3d2c1e0a9b',
      remoteAddr: '127.0.0.1:50712',
      state: 'publish',
      path: 'live/stream-key-1',
    });
  });
});

describe('splitMediaMtxPath', () => {
  it.each([
    ['live/key', { app: 'live', name: 'key' }],
    ['a/b/key', { app: 'a/b', name: 'key' }],
    ['key', { app: '', name: 'key' }],
  ])('%s', (path, expected) => {
    expect(splitMediaMtxPath(path)).toEqual(expected);
  });
});
