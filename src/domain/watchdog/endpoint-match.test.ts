import { describe, expect, it } from 'vitest';
import { parseUrls, sideByProtocol, sideByUrl, type Endpoints, type Side } from './endpoint-match.js';

const E: Endpoints = { inputs: ['https://cdn.example/radio.m3u8?token=***', 'udp://239.0.0.1:5000'], output: 'rtmp://live.example/app/***' };

describe('parseUrls', () => {
  it('finds every URL with its host and port, defaulting the port by scheme', () => {
    expect(parseUrls('rtmp://u:***@Live.Example/app/*** then tcp://[::1]:9000 and https://a.b')).toEqual([
      { scheme: 'rtmp', host: 'live.example', port: '1935' },
      { scheme: 'tcp', host: '[::1]', port: '9000' },
      { scheme: 'https', host: 'a.b', port: '443' },
    ]);
    expect(parseUrls('srt://h')).toEqual([{ scheme: 'srt', host: 'h' }]);
  });
});

describe('sideByUrl', () => {
  it.each<[string, Side | undefined]>([
    ['https://cdn.example/radio.m3u8: Server returned 403', 'input'],
    ['rtmp://live.example/app/***: Broken pipe', 'output'],
    ['Connection to tcp://live.example:1935 failed', 'output'],
    ['Connection to tcp://cdn.example:443 failed', 'input'],
    ['Connection to tcp://live.example:80 failed', 'output'],
    ['udp://239.0.0.1:5000: timeout', 'input'],
    ['no url here', undefined],
    ['tcp://other.example:1935', undefined],
  ])('%s → %s', (text, side) => {
    expect(sideByUrl(text, E)).toBe(side);
  });

  it('works without an output', () => {
    expect(sideByUrl('https://cdn.example/x', { inputs: E.inputs })).toBe('input');
  });
});

describe('sideByProtocol', () => {
  it.each<[string, Side | undefined]>([
    ['[https @ 0x1] HTTP error 403', 'input'],
    ['[hls @ 0x55aa] Opening segment failed', 'input'],
    ['[rtmp @ 0x55aa] Server error', 'output'],
    ['Server returned 404 Not Found', 'input'],
    ['[tcp @ 0x1] Connection refused', undefined],
    ['[srt @ 0x1] Connection setup failure', undefined],
  ])('%s → %s', (text, side) => {
    expect(sideByProtocol(text, E)).toBe(side);
  });
});
