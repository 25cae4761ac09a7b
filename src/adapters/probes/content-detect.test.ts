import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { coveredSeconds, DetectLog, lastProgressSeconds } from './content-detect.js';
import { contentArgs, judgeContent } from './content-probe.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/content/${name}`, import.meta.url), 'utf8');

function logOf(name: string): DetectLog {
  const log = new DetectLog();
  for (const line of fixture(name).split(/\r\n|\r|\n/)) log.feed(line);
  return log;
}

const ALL = { black: true, freeze: true, silence: true };

describe('DetectLog on real ffmpeg output', () => {
  it('color=black + anullsrc: black, frozen (open-ended) and silent for the whole sample', () => {
    const log = logOf('ffmpeg5-lavfi-black-silent.txt');
    expect(log.hasVideo).toBe(true);
    expect(log.hasAudio).toBe(true);
    expect(log.spansOf('black')).toEqual([{ start: 0, end: 6 }]);
    expect(log.spansOf('freeze')).toEqual([{ start: 0 }]);
    expect(log.spansOf('silence')).toEqual([{ start: 0, end: 6.03719 }]);
    expect(log.statsTimeSeconds).toBe(6);
    const verdict = judgeContent(log, 6, 6, ALL);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toBe('black for 6 s of 6 s, frozen for 6 s of 6 s, silent for 6 s of 6 s');
    expect(verdict.details).toMatchObject({ blackSeconds: 6, frozenSeconds: 6, silentSeconds: 6 });
  });

  it('a still frame with a tone: frozen only', () => {
    const log = logOf('ffmpeg5-lavfi-still-frame.txt');
    const verdict = judgeContent(log, 6, 6, ALL);
    expect(verdict).toMatchObject({ ok: false, message: 'frozen for 6 s of 6 s' });
    expect(verdict.details).toMatchObject({ blackSeconds: 0, frozenSeconds: 6, silentSeconds: 0 });
  });

  it('testsrc2 + sine: nothing detected', () => {
    const verdict = judgeContent(logOf('ffmpeg5-lavfi-normal.txt'), 6, 6, ALL);
    expect(verdict).toMatchObject({ ok: true, message: 'content ok over 6 s' });
  });

  it('partial spans below the coverage are reported in details but pass', () => {
    const log = logOf('ffmpeg5-lavfi-half-black-third-silent.txt');
    expect(log.spansOf('freeze')).toEqual([{ start: 0, end: 3 }]);
    expect(log.spansOf('silence')).toEqual([{ start: 0, end: 2.00002 }]);
    const verdict = judgeContent(log, 6, 6, ALL);
    expect(verdict.ok).toBe(true);
    expect(verdict.details).toMatchObject({ blackSeconds: 3, frozenSeconds: 3, silentSeconds: 2.00002 });
    expect(judgeContent(log, 6, 6, { ...ALL, coverage: 0.5 }).message).toBe('black for 3 s of 6 s, frozen for 3 s of 6 s');
  });

  it('over RTMP, where video starts half a second in', () => {
    const log = logOf('ffmpeg5-rtmp-black-silent.txt');
    expect(log.spansOf('black')).toEqual([{ start: 0.548, end: 5.028 }]);
    expect(log.spansOf('freeze')).toEqual([{ start: 0.548 }]);
    const verdict = judgeContent(log, 5, 5, ALL);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toBe('black for 4.45 s of 4.45 s, frozen for 4.45 s of 4.45 s, silent for 5 s of 5 s');
    expect(verdict.details).toMatchObject({ blackSeconds: 4.452, frozenSeconds: 4.452, silentSeconds: 5 - 0.000544218 });
  });

  it('measures a span from the first frame when that comes late (keyframe wait), within the lead-in only', () => {
    const late = new DetectLog();
    late.feed('  Stream #0:0: Video: h264');
    late.feed('[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 0.9');
    expect(judgeContent(late, 4, 4, { black: false, freeze: true, silence: false }).message).toBe('frozen for 3.1 s of 3.1 s');
    // A pause that starts late in the sample is not a frozen stream.
    const pause = new DetectLog();
    pause.feed('  Stream #0:0: Video: h264');
    pause.feed('[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 2.5');
    expect(judgeContent(pause, 4, 4, { black: false, freeze: true, silence: false }).ok).toBe(true);
    expect(judgeContent(late, 4, 4, { black: false, freeze: true, silence: false, leadInMs: 0 }).ok).toBe(true);
  });

  it('the 2018 static build (no freezedetect) prints the same black and silence lines', () => {
    const log = logOf('ffmpeg4-lavfi-black-silent.txt');
    expect(log.spansOf('black')).toEqual([{ start: 0, end: 6 }]);
    expect(log.spansOf('silence')).toEqual([{ start: 0, end: 6.03719 }]);
  });

  it('only judges enabled detectors, and notes a missing stream kind', () => {
    const log = logOf('ffmpeg5-lavfi-black-silent.txt');
    expect(judgeContent(log, 6, 6, { black: false, freeze: false, silence: true }).message).toBe('silent for 6 s of 6 s');
    const audioOnly = new DetectLog();
    audioOnly.feed('  Stream #0:0: Audio: aac (LC), 44100 Hz, mono, fltp, 63 kb/s');
    audioOnly.feed('[silencedetect @ 0x1] silence_start: 0');
    expect(judgeContent(audioOnly, 5, 5, ALL).message).toBe('silent for 5 s of 5 s (no video stream, black not checked; no video stream, freeze not checked)');
  });

  it('remembers the last error-looking line, not stats or detections', () => {
    const log = new DetectLog();
    log.feed('rtmp://127.0.0.1:1935/live/***: Input/output error');
    log.feed('frame=  111 fps= 38 q=-0.0 Lsize=N/A time=00:00:05.00 bitrate=N/A speed=1.72x');
    log.feed('[blackdetect @ 0x5] black_start:0 black_end:1 black_duration:1');
    expect(log.lastErrorLine).toBe('rtmp://127.0.0.1:1935/live/***: Input/output error');
    expect(log.statsTimeSeconds).toBe(5);
  });

  it('ignores garbage and bounds what it keeps', () => {
    const log = new DetectLog();
    log.feed('black_start:nan');
    log.feed('silence_end: 3 | silence_duration: 3'); // an end without a start
    for (let i = 0; i < 5_000; i += 1) log.feed(`[blackdetect @ 0x1] black_start:${i} black_end:${i + 0.5} black_duration:0.5`);
    expect(log.spansOf('silence')).toEqual([]);
    expect(log.spansOf('black').length).toBe(1_000);
  });
});

describe('coveredSeconds', () => {
  it.each([
    [[], 10, 0],
    [[{ start: 0, end: 4 }], 10, 4],
    [[{ start: 2 }], 10, 8],
    [[{ start: 0, end: 4 }, { start: 3, end: 6 }], 10, 6],
    [[{ start: -1, end: 20 }], 10, 10],
    [[{ start: 8, end: 7 }], 10, 0],
    [[{ start: 12 }], 10, 0],
  ])('%j over %s s → %s', (spans, sample, expected) => {
    expect(coveredSeconds(spans, sample)).toBeCloseTo(expected, 9);
  });
});

describe('lastProgressSeconds', () => {
  it('reads the last out_time_us (or out_time_ms) of -progress output', () => {
    expect(lastProgressSeconds('out_time_us=1000000\nprogress=continue\nout_time_us=5000000\nout_time_ms=5000000\nprogress=end\n')).toBe(5);
    expect(lastProgressSeconds('out_time_ms=2500000\n')).toBe(2.5);
    expect(lastProgressSeconds('out_time_us=N/A\n')).toBeUndefined();
    expect(lastProgressSeconds('')).toBeUndefined();
  });
});

describe('contentArgs', () => {
  const base = { ffmpegPath: 'ffmpeg', url: 'rtmp://h/live/k', durationMs: 10_000, timeoutMs: 30_000 };

  it('decodes only what the enabled detectors need', () => {
    const args = contentArgs({ clock: new FakeClock(), ...base, ...ALL }, 5_000);
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-rw_timeout', '5000000', '-i', 'rtmp://h/live/k', '-t', '10',
      '-map', '0:v:0?', '-vf', 'blackdetect=d=2:pix_th=0.1,freezedetect=n=-60dB:d=2',
      '-map', '0:a:0?', '-af', 'silencedetect=n=-50dB:d=2',
      '-sn', '-dn', '-progress', 'pipe:1', '-f', 'null', '-',
    ]);
    const audioOnly = contentArgs({ clock: new FakeClock(), ...base, black: false, freeze: false, silence: true, durationMs: 4_000 }, 0);
    expect(audioOnly).not.toContain('-vf');
    expect(audioOnly).not.toContain('-rw_timeout');
    expect(audioOnly).toContain('silencedetect=n=-50dB:d=1');
  });
});
