import { describe, expect, it } from 'vitest';
import { HLS_FILE_PATTERN, hlsPlaylistPath } from './hls-output.js';
import type { StreamSource } from './stream-spec.js';

const pipeline = (output: string, encode: string[] = []): StreamSource => ({ kind: 'pipeline', inputs: [{ url: 'lavfi:sine', options: [] }], output, encode });
const args = (...argv: string[]): StreamSource => ({ kind: 'args', args: argv });

describe('hlsPlaylistPath', () => {
  it.each([
    ['a pipeline writing .m3u8', pipeline('/data/hls/radio/index.m3u8', ['-f', 'hls']), '/data/hls/radio/index.m3u8'],
    ['a pipeline writing .m3u8 without -f', pipeline('out/live.m3u8'), 'out/live.m3u8'],
    ['raw args ending in .m3u8', args('-i', 'x', '-f', 'hls', '/tmp/hls/index.m3u8'), '/tmp/hls/index.m3u8'],
    ['an RTMP output', pipeline('rtmp://127.0.0.1/live/key', ['-f', 'flv']), undefined],
    ['an HTTP playlist URL', pipeline('http://cdn.example/live/index.m3u8', ['-f', 'hls']), undefined],
    ['a file: URL', args('-i', 'x', 'file:/tmp/index.m3u8'), undefined],
    ['an flv file', pipeline('/tmp/out.flv', ['-f', 'flv']), undefined],
    ['-f hls without a .m3u8 name', args('-i', 'x', '-f', 'hls', '/tmp/hls/stream'), undefined],
    ['a playlist name with odd characters', pipeline('/tmp/hls/a b.m3u8'), undefined],
    ['raw args ending in an option', args('-i', 'x', '-y'), undefined],
  ])('%s', (_what, source, expected) => {
    expect(hlsPlaylistPath(source)).toBe(expected);
  });
});

describe('HLS_FILE_PATTERN', () => {
  it.each(['index.m3u8', 'index0.ts', 'seg-12.m4s', 'init.mp4', 'a_b.c.ts'])('accepts %s', (name) => {
    expect(HLS_FILE_PATTERN.test(name)).toBe(true);
  });
  it.each(['../index.m3u8', '.hidden.ts', 'a/b.ts', 'index.m3u8/', 'x.m3u8.bak', 'x.flv', '..', 'x%2F.ts', 'a\\b.ts', ''])('refuses %s', (name) => {
    expect(HLS_FILE_PATTERN.test(name)).toBe(false);
  });
});
