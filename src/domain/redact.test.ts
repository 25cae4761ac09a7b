import { describe, expect, it } from 'vitest';
import { createRedactor, defaultRedactor, redactArgs, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['rtmp://127.0.0.1:1935/live/radio-abc123', 'rtmp://127.0.0.1:1935/live/***'],
    ['rtmps://a.rtmps.youtube.com:443/live2/xxxx-yyyy-zzzz', 'rtmps://a.rtmps.youtube.com:443/live2/***'],
    ['rtmp://host/live/key/', 'rtmp://host/live/***/'],
    ['rtmp://host/live', 'rtmp://host/***'],
    ['rtmp://host', 'rtmp://host'],
    ['rtmp://host/', 'rtmp://host/'],
    ['RTMP://host/live/KEY', 'RTMP://host/live/***'],
    ['rtmp://host/live/key?token=abc&x=1', 'rtmp://host/live/***?token=***&x=1'],
    ['rtmp://user:pa@ss@host/live/key', 'rtmp://***@host/live/***'],
    ['srt://127.0.0.1:9000?streamid=publish:live/abc&latency=200', 'srt://127.0.0.1:9000?streamid=***&latency=200'],
    ['srt://h:9/?streamid=#!::r=live/abc,m=publish&passphrase=longpass', 'srt://h:9/?streamid=***&passphrase=***'],
    ['srt://h:9?mode=caller', 'srt://h:9?mode=caller'],
    ['https://cdn.example/a.m3u8?Signature=abc&Key-Pair-Id=K', 'https://cdn.example/a.m3u8?Signature=***&Key-Pair-Id=K'],
    ['https://x/y?sig=1&SIG=2&auth=3&password=4&api_key=5&secret=6&key=7&access_token=8', 'https://x/y?sig=***&SIG=***&auth=***&password=***&api_key=***&secret=***&key=***&access_token=***'],
    ['https://x/cb#access_token=abc&state=1', 'https://x/cb#access_token=***&state=1'],
    ['http://admin:hunter2@127.0.0.1:8000/radio.mp3', 'http://***@127.0.0.1:8000/radio.mp3'],
    ['http://127.0.0.1:8000/radio.mp3', 'http://127.0.0.1:8000/radio.mp3'],
    ['https://discord.com/api/webhooks/1234567890/AbCdEf-token_xyz', 'https://discord.com/api/webhooks/***'],
    ['https://discord.com/api/v10/webhooks/1/tok?wait=true', 'https://discord.com/api/v10/webhooks/***?wait=true'],
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'https://hooks.slack.com/services/***'],
    ['https://api.telegram.org/bot123456:ABC-DEF_ghi/sendMessage', 'https://api.telegram.org/bot***/sendMessage'],
    ['https://example.com/botany/page', 'https://example.com/botany/page'],
    ['tcp://127.0.0.1:1935?tcp_nodelay=0', 'tcp://127.0.0.1:1935?tcp_nodelay=0'],
    ['lavfi:sine=frequency=440', 'lavfi:sine=frequency=440'],
    ['/var/media/file.mp4', '/var/media/file.mp4'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('createRedactor', () => {
  const redact = createRedactor(['abcd1234', 'p@ss word', 'abc', '']);

  it.each([
    // Real ffmpeg 5.1 lines.
    ["Output #0, flv, to 'rtmp://host/live/abcd1234':", "Output #0, flv, to 'rtmp://host/live/***':"],
    [
      '[tcp @ 0x559fb4f59f40] Connection to tcp://127.0.0.1:1?tcp_nodelay=0 failed: Connection refused',
      '[tcp @ 0x559fb4f59f40] Connection to tcp://127.0.0.1:1?tcp_nodelay=0 failed: Connection refused',
    ],
    ['rtmp://127.0.0.1:1/live/secretkey123: Connection refused', 'rtmp://127.0.0.1:1/live/***: Connection refused'],
    [
      '[srt @ 0x558d710d4640] Connection to srt://127.0.0.1:9/?streamid=publish:live/abc&passphrase=longpassphrase failed: Input/output error',
      '[srt @ 0x558d710d4640] Connection to srt://127.0.0.1:9/?streamid=***&passphrase=*** failed: Input/output error',
    ],
    // Known secrets anywhere, exact and URL-encoded; short ones are ignored.
    ["[flv @ 0x1] stream 'live/abcd1234' published", "[flv @ 0x1] stream 'live/***' published"],
    ['password is p@ss word here', 'password is *** here'],
    ['http://u:p%40ss%20word@h/x', 'http://***@h/x'],
    ['abc stays, it is too short to be a secret', 'abc stays, it is too short to be a secret'],
    // Two URLs on one line, punctuation kept.
    ['from rtmp://a/live/k1, to (rtmp://b/app/k2).', 'from rtmp://a/live/***, to (rtmp://b/app/***).'],
    ['bare telegram token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw!', 'bare telegram token ***!'],
    ['frame=  100 fps= 25 q=28.0 size=     176kB time=00:00:04.01 bitrate= 352.3kbits/s', 'frame=  100 fps= 25 q=28.0 size=     176kB time=00:00:04.01 bitrate= 352.3kbits/s'],
    ['', ''],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('returns the very same string when nothing needs masking', () => {
    const line = '  Stream #0:0: Video: h264, yuv420p, 320x240, q=2-31, 25 fps';
    expect(redact(line)).toBe(line);
    expect(defaultRedactor(line)).toBe(line);
  });

  it('masks a secret that contains another one whole', () => {
    expect(createRedactor(['key1', 'key1-long-secret'])('x key1-long-secret y')).toBe('x *** y');
  });

  it('escapes regex characters in secrets', () => {
    expect(createRedactor(['a.b*c+(d)'])('see a.b*c+(d) and aXbbc')).toBe('see *** and aXbbc');
  });
});

describe('redactArgs', () => {
  it.each<[string[], string[]]>([
    [
      ['-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', 'rtmp://h/live/key'],
      ['-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', 'rtmp://h/live/***'],
    ],
    [
      ['-headers', 'Authorization: Bearer abc', '-passphrase', 'longpass', '-i', 'srt://h:9'],
      ['-headers', '***', '-passphrase', '***', '-i', 'srt://h:9'],
    ],
    [['-rtmp_playpath', 'streamkey', '-c', 'copy'], ['-rtmp_playpath', '***', '-c', 'copy']],
    [[], []],
  ])('%j', (argv, expected) => {
    expect(redactArgs(argv)).toEqual(expected);
  });

  it('uses the given redactor for known secrets', () => {
    expect(redactArgs(['-metadata', 'title=my-secret-key'], createRedactor(['my-secret-key']))).toEqual([
      '-metadata',
      'title=***',
    ]);
  });
});
