import { describe, expect, it } from 'vitest';
import { InvalidRtmpTargetError, parseRtmpTarget } from '../../ports/rtmp-server.js';

describe('parseRtmpTarget', () => {
  it.each([
    ['rtmp://127.0.0.1:1935/live/radio-key', { app: 'live', name: 'radio-key' }],
    ['rtmp://host/live/key?token=abc', { app: 'live', name: 'key' }],
    ['rtmp://host/live/key#frag', { app: 'live', name: 'key' }],
    ['rtmps://a.rtmp.youtube.com:443/live2/xxxx-yyyy-zzzz', { app: 'live2', name: 'xxxx-yyyy-zzzz' }],
    ['RTMP://HOST/Live/Key', { app: 'Live', name: 'Key' }],
    ['rtmp://host/app/instance/name', { app: 'app/instance', name: 'name' }],
    ['rtmp://host/live//key/', { app: 'live', name: 'key' }],
    ['rtmp://host/live/a%20b', { app: 'live', name: 'a b' }],
    ['rtmp://host/live/100%', { app: 'live', name: '100%' }],
    ['rtmp://user:pw@host/live/key', { app: 'live', name: 'key' }],
    ['  rtmp://host/live/0123  ', { app: 'live', name: '0123' }],
  ])('%s', (url, expected) => {
    expect(parseRtmpTarget(url)).toEqual(expected);
  });

  it.each([
    ['http://host/live/key', 'scheme'],
    ['srt://host:9000?streamid=x', 'scheme'],
    ['rtmp://host', 'no application'],
    ['rtmp://host/live', 'application and a stream name'],
    ['rtmp://host/live?x=secret-key', 'application and a stream name'],
    ['rtmp:///live/key', 'no host'],
  ])('rejects %s', (url, reason) => {
    expect(() => parseRtmpTarget(url)).toThrow(InvalidRtmpTargetError);
    expect(() => parseRtmpTarget(url)).toThrow(reason);
  });

  it('never puts the key in the error', () => {
    try {
      parseRtmpTarget('http://host/live/super-secret-key');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRtmpTargetError);
      expect((error as InvalidRtmpTargetError).code).toBe('INVALID_RTMP_TARGET');
      expect((error as Error).message).not.toContain('super-secret-key');
    }
  });
});
