import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { StderrLog } from './stderr-log.js';

const identity = (text: string): string => text;

function collect(chunks: readonly string[], options = {}): StderrLog {
  const log = new StderrLog(identity, options);
  for (const chunk of chunks) log.push(chunk);
  log.end();
  return log;
}

const texts = (log: StderrLog): string[] => log.lastLines();

describe('StderrLog lines', () => {
  it.each<[string, string[], string[]]>([
    ['\\n', ['a\nb\n'], ['a', 'b']],
    ['\\r (ffmpeg status redraws)', ['frame=1\rframe=2\r'], ['frame=1', 'frame=2']],
    ['\\r\\n without blank lines', ['a\r\nb\r\n'], ['a', 'b']],
    ['blank lines skipped', ['\n\n  \na\n\n'], ['a']],
    ['split anywhere', ['ab', 'c\r', '\nd', 'e'], ['abc', 'de']],
    ['unterminated last line kept at end()', ['tail without newline'], ['tail without newline']],
    ['empty feed', [''], []],
  ])('splits on %s', (_name, chunks, expected) => {
    expect(texts(collect(chunks))).toEqual(expected);
  });

  it('numbers lines and keeps the first N and the last M', () => {
    const log = new StderrLog(identity, { firstLines: 3, lastLines: 4 });
    for (let i = 1; i <= 10; i++) log.push(`line ${i}\n`);
    const snapshot = log.snapshot();
    expect(snapshot.first.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(snapshot.last.map((l) => l.text)).toEqual(['line 7', 'line 8', 'line 9', 'line 10']);
    expect(snapshot.lineCount).toBe(10);
  });

  it('keeps fewer lines than the ring holds in order', () => {
    const log = collect(['1\n2\n'], { lastLines: 5 });
    expect(texts(log)).toEqual(['1', '2']);
  });

  it.each([
    ['fed at once', (s: string) => [s]],
    ['fed char by char', (s: string) => [...s]],
  ])('truncates over-long lines (%s)', (_name, split) => {
    const long = 'x'.repeat(50) + '\nshort\n';
    const log = collect(split(long), { maxLineLength: 10 });
    expect(log.snapshot().last).toEqual([
      { seq: 1, text: 'x'.repeat(10), truncated: true },
      { seq: 2, text: 'short', truncated: false },
    ]);
    expect(log.snapshot().truncatedLines).toBe(1);
    expect(log.lastLines()).toEqual(['xxxxxxxxxx…', 'short']);
  });

  it('does not split a surrogate pair when truncating', () => {
    const log = collect(['abc😀😀\n'], { maxLineLength: 4 });
    expect(log.snapshot().last[0]?.text).toBe('abc');
  });

  it('redacts every stored line, including first lines and the last error', () => {
    const log = new StderrLog(createRedactor(['abcd1234']));
    log.push("Output #0, flv, to 'rtmp://host/live/abcd1234':\n");
    log.push('rtmp://127.0.0.1:1/live/abcd1234: Connection refused\n');
    const snapshot = log.snapshot();
    expect(JSON.stringify(snapshot)).not.toContain('abcd1234');
    expect(log.firstLines()).toEqual(["Output #0, flv, to 'rtmp://host/live/***':", 'rtmp://127.0.0.1:1/live/***: Connection refused']);
    expect(snapshot.lastError?.text).toBe('rtmp://127.0.0.1:1/live/***: Connection refused');
  });

  it('redacts a secret that the length cap cuts in half', () => {
    const log = new StderrLog(createRedactor(['supersecretkey']), { maxLineLength: 20 });
    log.push(`${'.'.repeat(12)}supersecretkey\n`);
    expect(log.lastLines()[0]).toBe(`${'.'.repeat(12)}***`);
  });
});

describe('StderrLog last error', () => {
  it.each<[string, string[], string | undefined]>([
    // Real ffmpeg 5.1 endings.
    [
      'rtmp connection refused',
      [
        'Input #0, lavfi, from \'testsrc2\':',
        '[tcp @ 0x559fb4f59f40] Connection to tcp://127.0.0.1:1?tcp_nodelay=0 failed: Connection refused',
        '[rtmp @ 0x559fb4f602c0] Cannot open connection tcp://127.0.0.1:1?tcp_nodelay=0',
        'rtmp://127.0.0.1:1/live/key: Connection refused',
      ],
      'rtmp://127.0.0.1:1/live/key: Connection refused',
    ],
    ['missing input', ['/nonexistent/file.mp4: No such file or directory'], '/nonexistent/file.mp4: No such file or directory'],
    [
      'old ffmpeg and -stats_period',
      ["Unrecognized option 'stats_period'.", 'Error splitting the argument list: Option not found'],
      "Unrecognized option 'stats_period'.",
    ],
    [
      'Conversion failed! after a specific cause',
      ['[flv @ 0x1] Failed to update header with correct duration.', 'av_interleaved_write_frame(): Broken pipe', 'Error writing trailer of rtmp://h/live/k: Broken pipe', 'Conversion failed!'],
      'Error writing trailer of rtmp://h/live/k: Broken pipe',
    ],
    ['Conversion failed! alone', ['frame=1', 'Conversion failed!'], 'Conversion failed!'],
    [
      'Conversion failed! long after an old error',
      ['[h264 @ 0x1] error while decoding MB 1 2', ...Array.from({ length: 15 }, (_, i) => `frame=${i}`), 'Conversion failed!'],
      'Conversion failed!',
    ],
    [
      'ffmpeg 6 output open failure',
      [
        '[out#0/flv @ 0x1] Error opening output rtmp://h/live/k: Connection refused',
        'Error opening output file rtmp://h/live/k.',
        'Error opening output files: Connection refused',
      ],
      '[out#0/flv @ 0x1] Error opening output rtmp://h/live/k: Connection refused',
    ],
    ['already publishing', ['[rtmp @ 0x1] Server error: Already publishing'], '[rtmp @ 0x1] Server error: Already publishing'],
    ['http 404', ['[http @ 0x1] HTTP error 404 Not Found', 'http://h/x: Server returned 404 Not Found'], 'http://h/x: Server returned 404 Not Found'],
    ['http 5XX', ['http://h/x: Server returned 5XX Server Error reply'], 'http://h/x: Server returned 5XX Server Error reply'],
    ['io error', ['srt://h:9: Input/output error'], 'srt://h:9: Input/output error'],
    ['timeout', ['[tcp @ 0x1] Connection to tcp://h:1935 failed: Connection timed out'], '[tcp @ 0x1] Connection to tcp://h:1935 failed: Connection timed out'],
    ['invalid data', ['x.ts: Invalid data found when processing input'], 'x.ts: Invalid data found when processing input'],
    ['unknown encoder', ["Unknown encoder 'nosuchcodec'"], "Unknown encoder 'nosuchcodec'"],
    [
      'not an error',
      ['[h264 @ 0x1] concealing 12 DC, 12 AC, 12 MV errors in P frame', '  Stream #0:0: Video: h264', 'frame=  100 fps= 25 q=28.0 size=176kB', 'Exiting normally, received signal 2.'],
      undefined,
    ],
  ])('%s', (_name, lines, expected) => {
    const log = collect([lines.join('\n') + '\n']);
    expect(log.lastError()).toBe(expected);
    expect(log.snapshot().lastError?.text).toBe(expected);
  });

  it('a later specific error replaces an earlier one', () => {
    const log = collect(['a: Connection refused\nb: Broken pipe\n']);
    expect(log.lastError()).toBe('b: Broken pipe');
  });
});

describe('StderrLog memory bound', () => {
  const MB = 1024 * 1024;
  const limits = { firstLines: 20, lastLines: 200, maxLineLength: 2_000 };
  // Lines (first + ring + last error) at the cap, plus one pending line with its redaction margin.
  const bound = (limits.firstLines + limits.lastLines + 1) * limits.maxLineLength + limits.maxLineLength + 256;

  it.each([
    ['junk without line breaks', 'A'.repeat(MB)],
    ['tiny lines', 'frame=  1 fps=25 x\r'.repeat(MB / 19)],
    ['long lines', ('B'.repeat(100_000) + '\n').repeat(10)],
    ['error lines', 'Error: Connection refused and more and more\n'.repeat(MB / 44)],
  ])('stays bounded after 50 MB of %s', (_name, chunk) => {
    const log = new StderrLog(createRedactor(['secret-key']), limits);
    let fed = 0;
    while (fed < 50 * MB) {
      log.push(chunk);
      fed += chunk.length;
    }
    expect(log.retainedChars()).toBeLessThanOrEqual(bound);
    log.end();
    const snapshot = log.snapshot();
    expect(snapshot.first.length).toBeLessThanOrEqual(20);
    expect(snapshot.last.length).toBeLessThanOrEqual(200);
    expect(log.retainedChars()).toBeLessThanOrEqual(bound);
  });
});
