import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateStreams, fastProbeOptions, ffprobeArgs, parseFfprobeStreams, type ProbedStream } from './ffprobe-probe.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/probes/${name}`, import.meta.url), 'utf8');

describe('parseFfprobeStreams', () => {
  it('reads real ffprobe output of an RTMP stream', () => {
    expect(parseFfprobeStreams(fixture('ffprobe5-rtmp-aac-h264.json'))).toEqual({
      ok: true,
      value: [
        { index: 0, type: 'audio', codec: 'aac', sampleRate: 44100, channels: 1 },
        { index: 1, type: 'video', codec: 'h264', width: 320, height: 240 },
      ],
    });
  });

  it('accepts an empty answer and skips odd entries', () => {
    expect(parseFfprobeStreams('{}')).toEqual({ ok: true, value: [] });
    expect(parseFfprobeStreams('{"streams":[null,{"index":0},{"codec_type":"data"}]}')).toEqual({
      ok: true,
      value: [{ index: 0, type: 'data' }],
    });
  });

  it.each([
    ['', 'not JSON'],
    ['{"streams": [', 'not JSON'],
    ['[1]', 'not a JSON object'],
  ])('rejects %j', (text, reason) => {
    const parsed = parseFfprobeStreams(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('evaluateStreams', () => {
  const video: ProbedStream = { index: 0, type: 'video', codec: 'h264', width: 1280, height: 720 };
  const audio: ProbedStream = { index: 1, type: 'audio', codec: 'aac', sampleRate: 48000 };

  it.each([
    [[video, audio], { video: true, audio: true }, true, 'video h264 1280x720, audio aac 48000 Hz'],
    [[video], { video: true }, true, 'video h264 1280x720'],
    [[audio], { video: true, audio: true }, false, 'no video stream (found: audio aac 48000 Hz)'],
    [[audio], { audio: true, video: false }, true, 'audio aac 48000 Hz'],
    [[video, audio], { video: false }, false, 'unexpected video stream (found: video h264 1280x720, audio aac 48000 Hz)'],
    [[], {}, false, 'no streams (found: no streams)'],
    [[], { video: true, audio: true }, false, 'no video stream, no audio stream (found: no streams)'],
    [[audio], {}, true, 'audio aac 48000 Hz'],
  ] as const)('%j expecting %j', (streams, expect_, ok, message) => {
    expect(evaluateStreams(streams, expect_)).toEqual({ ok, message });
  });
});

describe('ffprobeArgs', () => {
  it('uses -rw_timeout in microseconds, never -timeout (rtmp listen mode)', () => {
    expect(ffprobeArgs('rtmp://h/live/k', 8_000)).toEqual([
      '-hide_banner', '-v', 'error', '-rw_timeout', '8000000', '-fpsprobesize', '0', '-analyzeduration', '3000000', '-show_streams', '-of', 'json', 'rtmp://h/live/k',
    ]);
    expect(ffprobeArgs('rtsp://h/cam', 0, ['-rtsp_transport', 'tcp'])).toEqual([
      '-hide_banner', '-v', 'error', '-rtsp_transport', 'tcp', '-show_streams', '-of', 'json', 'rtsp://h/cam',
    ]);
  });

  it('reads little of a live RTMP stream, unless the user set the probe budget', () => {
    expect(fastProbeOptions('rtmp://h/live/k')).toEqual(['-fpsprobesize', '0', '-analyzeduration', '3000000']);
    expect(fastProbeOptions('RTMPS://h/live/k')).toEqual(['-fpsprobesize', '0', '-analyzeduration', '3000000']);
    expect(fastProbeOptions('http://h/live.m3u8')).toEqual([]);
    expect(fastProbeOptions('rtmp://h/live/k', ['-analyzeduration', '2000000'])).toEqual([]);
    expect(fastProbeOptions('rtmp://h/live/k', ['-fpsprobesize', '5'])).toEqual([]);
    expect(ffprobeArgs('rtmp://h/live/k', 0, ['-probesize', '1000000'])).toEqual([
      '-hide_banner', '-v', 'error', '-probesize', '1000000', '-show_streams', '-of', 'json', 'rtmp://h/live/k',
    ]);
  });
});
