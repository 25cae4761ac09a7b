import { describe, expect, it } from 'vitest';
import { buildArgv, describeArgv, formatArgv, globalArgs, InvalidInputIndexError } from './argv.js';
import type { FfmpegCapabilities } from './ffmpeg-capabilities.js';
import { createRedactor } from './redact.js';
import type { StreamInput, StreamSource } from './stream-spec.js';

const caps = (...options: string[]): FfmpegCapabilities => ({ version: 'test', options: new Set(options) });
const modern = caps('progress', 'nostats', 'stats_period', 're', 'f', 'i');
const old = caps('progress', 'nostats', 're', 'f', 'i');
// Reconnect options belong to ffmpeg's http protocol, not to its global option list.
const withReconnect: FfmpegCapabilities = { ...caps('stats_period'), httpOptions: new Set(['reconnect', 'reconnect_streamed', 'reconnect_delay_max']) };

const GLOBAL = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:3', '-stats_period', '1'];
const GLOBAL_OLD = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:3'];

const input = (url: string, options: string[] = []): StreamInput => ({ url, options });
const pipeline = (inputs: StreamInput[], output: string, encode: string[] = []): StreamSource => ({
  kind: 'pipeline',
  inputs,
  output,
  encode,
});

describe('globalArgs', () => {
  it.each([
    ['a build with -stats_period', modern, GLOBAL],
    ['the 2018 build without it', old, GLOBAL_OLD],
  ])('%s', (_name, capabilities, expected) => {
    expect(globalArgs(capabilities)).toEqual(expected);
  });
});

describe('buildArgv', () => {
  const radio = pipeline(
    [input('http://127.0.0.1:8000/radio.mp3'), input('lavfi:sine=frequency=440')],
    'rtmp://127.0.0.1:1935/live/radio-key',
    ['-c:a', 'aac', '-b:a', '128k', '-f', 'flv'],
  );

  it.each<[string, StreamSource, FfmpegCapabilities, number, string[]]>([
    [
      'args form: user args unchanged after the global options',
      { kind: 'args', args: ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'flv', 'rtmp://h/live/cam'] },
      modern,
      0,
      [...GLOBAL, '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'flv', 'rtmp://h/live/cam'],
    ],
    [
      'args form on the old build',
      { kind: 'args', args: ['-i', 'in.mp4', 'out.flv'] },
      old,
      0,
      [...GLOBAL_OLD, '-i', 'in.mp4', 'out.flv'],
    ],
    [
      'args are not split, quoted or interpreted',
      { kind: 'args', args: ['-vf', "drawtext=text='a b; rm -rf /'", '$HOME', '*.flv'] },
      old,
      7,
      [...GLOBAL_OLD, '-vf', "drawtext=text='a b; rm -rf /'", '$HOME', '*.flv'],
    ],
    [
      'pipeline primary input',
      radio,
      modern,
      0,
      [...GLOBAL, '-i', 'http://127.0.0.1:8000/radio.mp3', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', 'rtmp://127.0.0.1:1935/live/radio-key'],
    ],
    [
      'pipeline fallback lavfi input, paced with -re',
      radio,
      modern,
      1,
      [...GLOBAL, '-re', '-f', 'lavfi', '-i', 'sine=frequency=440', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', 'rtmp://127.0.0.1:1935/live/radio-key'],
    ],
    [
      'input options go before its -i',
      pipeline([input('/media/loop.mp4', ['-re', '-stream_loop', '-1'])], 'out.flv', ['-c', 'copy']),
      old,
      0,
      [...GLOBAL_OLD, '-re', '-stream_loop', '-1', '-i', '/media/loop.mp4', '-c', 'copy', 'out.flv'],
    ],
    [
      'lavfi input with its own -re is not paced twice',
      pipeline([input('lavfi:testsrc2=rate=25', ['-re', '-t', '10'])], 'out.ts'),
      old,
      0,
      [...GLOBAL_OLD, '-re', '-t', '10', '-f', 'lavfi', '-i', 'testsrc2=rate=25', 'out.ts'],
    ],
    [
      'rtmp output without -f gets flv',
      pipeline([input('lavfi:testsrc2')], 'rtmps://h/live/key', ['-c:v', 'libx264']),
      old,
      0,
      [...GLOBAL_OLD, '-re', '-f', 'lavfi', '-i', 'testsrc2', '-c:v', 'libx264', '-f', 'flv', 'rtmps://h/live/key'],
    ],
    [
      'srt output without -f gets mpegts',
      pipeline([input('lavfi:testsrc2')], 'srt://h:9000?streamid=x'),
      old,
      0,
      [...GLOBAL_OLD, '-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'mpegts', 'srt://h:9000?streamid=x'],
    ],
    [
      'http input gets a short reconnect when the build lists it',
      pipeline([input('https://radio.example/stream')], 'out.flv'),
      withReconnect,
      0,
      [...GLOBAL, '-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '2', '-i', 'https://radio.example/stream', 'out.flv'],
    ],
    [
      'no reconnect when the build does not list it',
      pipeline([input('https://radio.example/stream')], 'out.flv'),
      modern,
      0,
      [...GLOBAL, '-i', 'https://radio.example/stream', 'out.flv'],
    ],
    [
      "no reconnect of ours when the user set one",
      pipeline([input('http://h/s', ['-reconnect_delay_max', '30'])], 'out.flv'),
      withReconnect,
      0,
      [...GLOBAL, '-reconnect_delay_max', '30', '-i', 'http://h/s', 'out.flv'],
    ],
    [
      'no reconnect for non-http inputs',
      pipeline([input('rtmp://h/live/in'), input('srt://h:9'), input('/file.mp4')], 'out.flv'),
      withReconnect,
      1,
      [...GLOBAL, '-i', 'srt://h:9', 'out.flv'],
    ],
    [
      'stdout output',
      pipeline([input('in.mp4')], '-', ['-f', 'mpegts']),
      old,
      0,
      [...GLOBAL_OLD, '-i', 'in.mp4', '-f', 'mpegts', '-'],
    ],
  ])('%s', (_name, source, capabilities, inputIndex, expected) => {
    expect(buildArgv(source, capabilities, { inputIndex })).toEqual(expected);
  });

  it('uses exactly one input', () => {
    const argv = buildArgv(radio, modern, { inputIndex: 0 });
    expect(argv.filter((arg) => arg === '-i')).toHaveLength(1);
  });

  it.each([[-1], [2], [0.5], [Number.NaN]])('rejects input index %s', (inputIndex) => {
    expect(() => buildArgv(radio, modern, { inputIndex })).toThrow(InvalidInputIndexError);
  });

  it('rejects a pipeline without inputs', () => {
    expect(() => buildArgv(pipeline([], 'out.flv'), modern, { inputIndex: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT_INDEX' }) as Error,
    );
  });

  it('rejects an output that ffmpeg would read as an option', () => {
    expect(() => buildArgv(pipeline([input('in.mp4')], '-y'), modern, { inputIndex: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OUTPUT' }) as Error,
    );
  });
});

describe('formatArgv', () => {
  it.each<[string, string[], string]>([
    [
      'masks the stream key',
      ['-i', 'lavfi', '-f', 'flv', 'rtmp://127.0.0.1:1935/live/radio-key'],
      '-i lavfi -f flv rtmp://127.0.0.1:1935/live/***',
    ],
    ['quotes what has spaces or quotes', ['-vf', "drawtext=text='a b'", '-metadata', 'title=x'], `-vf 'drawtext=text='\\''a b'\\''' -metadata title=x`],
    ['masks values of credential options', ['-passphrase', 'longpassphrase', '-i', 'srt://h:9'], '-passphrase *** -i srt://h:9'],
    ['shows an empty argument', ['-metadata', ''], "-metadata ''"],
  ])('%s', (_name, argv, expected) => {
    expect(formatArgv(argv)).toBe(expected);
  });

  it('masks known secrets with the given redactor', () => {
    const argv = buildArgv(
      pipeline([input('http://u:pw@h/in.mp3')], 'srt://h:9?passphrase=topsecret1', ['-metadata', 'comment=topsecret1']),
      modern,
      { inputIndex: 0 },
    );
    const text = formatArgv(argv, createRedactor(['topsecret1']));
    expect(text).not.toContain('topsecret1');
    expect(text).not.toContain('pw@');
    expect(text).toContain('-progress pipe:3');
  });
});

describe('describeArgv', () => {
  it('returns the redacted argv element by element, binary included', () => {
    expect(describeArgv(['/usr/bin/ffmpeg', '-i', 'http://u:pw@h/a b.mp3', '-f', 'flv', 'rtmp://h/live/key'])).toEqual([
      '/usr/bin/ffmpeg',
      '-i',
      'http://***@h/a b.mp3',
      '-f',
      'flv',
      'rtmp://h/live/***',
    ]);
  });
});
