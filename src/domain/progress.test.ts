import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressTracker } from './progress-tracker.js';
import { parseProgress, ProgressParser, type ProgressBlock } from './progress.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/progress');
/** Captured from real ffmpeg runs (see test/fixtures/progress/README.md). */
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') }));

/** ffmpeg 5.1 runs used `-stats_period 1`; the 2018 build has no such option and reports every 0.5 s. */
const periodMs = (name: string): number => (name.startsWith('ffmpeg4') ? 500 : 1_000);

function feedInChunks(text: string, sizes: readonly number[]): ProgressBlock[] {
  const parser = new ProgressParser();
  const blocks: ProgressBlock[] = [];
  let offset = 0;
  for (let i = 0; offset < text.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    blocks.push(...parser.feed(text.slice(offset, offset + size)));
    offset += size;
  }
  return blocks;
}

describe('ProgressParser', () => {
  it.each<[string, string, Partial<ProgressBlock>[]]>([
    [
      'a full ffmpeg 5 block',
      'frame=51\nfps=25.31\nstream_0_0_q=28.0\nbitrate= 376.1kbits/s\ntotal_size=58349\nout_time_us=80000\nout_time_ms=80000\nout_time=00:00:00.080000\ndup_frames=1\ndrop_frames=2\nspeed=0.0397x\nprogress=continue\n',
      [
        {
          frame: 51,
          fps: 25.31,
          bitrate: 376_100,
          totalSizeBytes: 58349,
          outTimeUs: 80_000,
          dupFrames: 1,
          dropFrames: 2,
          speed: 0.0397,
          ended: false,
        },
      ],
    ],
    ['N/A values stay absent', 'bitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nspeed=N/A\nprogress=continue\n', [{ ended: false }]],
    ['progress=end ends the run', 'frame=100\nprogress=end\n', [{ frame: 100, ended: true }]],
    ['\\r\\n line ends', 'frame=3\r\nout_time_us=120000\r\nprogress=continue\r\n', [{ frame: 3, outTimeUs: 120_000 }]],
    ['old builds: out_time_ms holds microseconds', 'out_time_ms=975238\nprogress=continue\n', [{ outTimeUs: 975_238 }]],
    ['out_time_us wins over out_time_ms', 'out_time_us=5\nout_time_ms=7\nprogress=continue\n', [{ outTimeUs: 5 }]],
    ['out_time clock as last resort', 'out_time=01:02:03.5\nprogress=continue\n', [{ outTimeUs: 3_723_500_000 }]],
    ['negative "no timestamp" values are ignored', 'out_time_us=-9223372036854775807\nout_time=-577014:32:22.775808\nprogress=continue\n', [{}]],
    ['speed with padding', 'speed=   0x\nprogress=continue\n', [{ speed: 0 }]],
    ['garbage lines are skipped', 'hello\n=x\nframe=abc\nfr ame=3\n\nframe=7\n\u0000\u0001=2\nprogress=continue\n', [{ frame: 7 }]],
    ['no block before a progress= line', 'frame=1\nfps=2\n', []],
    ['an empty block still counts', 'progress=continue\nprogress=continue\n', [{}, {}]],
    ['the last value of a repeated key wins', 'frame=1\nframe=2\nprogress=continue\n', [{ frame: 2 }]],
  ])('%s', (_name, text, expected) => {
    const blocks = new ProgressParser().feed(text);
    expect(blocks).toHaveLength(expected.length);
    blocks.forEach((block, i) => expect(block).toMatchObject(expected[i] ?? {}));
  });

  it('keeps keys of every output stream', () => {
    const [block] = new ProgressParser().feed('stream_0_0_q=28.0\nstream_1_0_q=-1.0\nframe=5\nprogress=continue\n');
    expect(Object.fromEntries(block?.values ?? [])).toEqual({ stream_0_0_q: '28.0', stream_1_0_q: '-1.0', frame: '5' });
  });

  it('starts a fresh block after each marker', () => {
    const blocks = new ProgressParser().feed('frame=1\ntotal_size=10\nprogress=continue\nframe=2\nprogress=continue\n');
    expect(blocks[1]).not.toHaveProperty('totalSizeBytes');
  });

  it('drops an over-long line and recovers at the next line', () => {
    const parser = new ProgressParser({ maxPendingChars: 100 });
    expect(parser.feed('frame=1\n' + 'x'.repeat(60))).toEqual([]);
    expect(parser.feed('y'.repeat(60))).toEqual([]);
    expect(parser.pendingChars).toBe(0);
    expect(parser.feed('z'.repeat(1_000) + '=1\nframe=2\nprogress=continue\n')).toMatchObject([{ frame: 2 }]);
  });

  it('stays bounded whatever is written', () => {
    const parser = new ProgressParser({ maxPendingChars: 64 * 1024, maxKeysPerBlock: 16 });
    const junk = 'A'.repeat(1024 * 1024);
    for (let i = 0; i < 20; i++) parser.feed(junk);
    expect(parser.pendingChars).toBeLessThanOrEqual(64 * 1024);
    for (let i = 0; i < 1_000; i++) parser.feed(`key_${i}=${i}\n`);
    expect(parser.pendingKeys).toBe(16);
    // The known keys still get through.
    expect(parser.feed('frame=1\nprogress=continue\n')).toMatchObject([{ frame: 1 }]);
  });

  describe.each(fixtures)('fixture $name', ({ name, text }) => {
    const blocks = parseProgress(text);

    it('has one block per progress= line, the last one ended', () => {
      expect(blocks).toHaveLength(text.split('\n').filter((line) => line.startsWith('progress=')).length);
      expect(blocks.at(-1)?.ended).toBe(true);
      expect(blocks.slice(0, -1).every((block) => !block.ended)).toBe(true);
    });

    it('reports out time for every block and frames only when there is video', () => {
      expect(blocks.every((block) => block.outTimeUs !== undefined)).toBe(true);
      const hasVideo = !name.includes('audio-only');
      expect(blocks.every((block) => (block.frame !== undefined) === hasVideo)).toBe(true);
    });

    it('reports sizes only for a real muxer (not -f null)', () => {
      const hasSize = name.includes('flv');
      expect(blocks.every((block) => (block.totalSizeBytes !== undefined) === hasSize)).toBe(true);
    });

    it.each([[1], [2], [3], [7], [64], [1, 5, 2, 11]])('gives the same blocks fed in chunks of %j', (...sizes) => {
      expect(feedInChunks(text, sizes)).toEqual(blocks);
      expect(feedInChunks(text.replaceAll('\n', '\r\n'), sizes)).toEqual(blocks);
    });
  });
});

/** One update, with the snapshot as it stands right after it. */
function step(tracker: ProgressTracker, block: ProgressBlock, at: number) {
  const { advanced } = tracker.update(block, at);
  return { advanced, snapshot: tracker.snapshot() };
}

describe('ProgressTracker', () => {
  const block = (fields: Partial<ProgressBlock>): ProgressBlock => ({ ended: false, values: new Map(), ...fields });

  it.each<[string, Partial<ProgressBlock>[], boolean[]]>([
    ['first block with counters above zero advances', [{ frame: 1, outTimeUs: 0 }], [true]],
    ['first block at zero does not', [{ outTimeUs: 0 }], [false]],
    ['all N/A does not', [{}], [false]],
    ['out_time alone', [{ outTimeUs: 1 }, { outTimeUs: 1 }, { outTimeUs: 2 }], [true, false, true]],
    ['frame alone', [{ frame: 5 }, { frame: 5 }, { frame: 6 }], [true, false, true]],
    ['total_size alone', [{ totalSizeBytes: 9 }, { totalSizeBytes: 9 }, { totalSizeBytes: 10 }], [true, false, true]],
    ['a counter that turns N/A is not a regression', [{ frame: 5 }, {}, { frame: 5 }], [true, false, false]],
    ['a counter first reported later advances', [{ frame: 5 }, { frame: 5, totalSizeBytes: 1 }], [true, true]],
    ['a frozen encoder repeating itself', [{ frame: 5, outTimeUs: 9 }, { frame: 5, outTimeUs: 9 }, { frame: 5, outTimeUs: 9 }], [true, false, false]],
    ['drop/dup counters do not count', [{ frame: 1 }, { frame: 1, dropFrames: 4, dupFrames: 3 }], [true, false]],
  ])('%s', (_name, blocks, expected) => {
    const tracker = new ProgressTracker();
    expect(blocks.map((fields, i) => step(tracker, block(fields), i * 1_000).advanced)).toEqual(expected);
  });

  it('records when progress last advanced', () => {
    const tracker = new ProgressTracker();
    step(tracker, block({ frame: 1 }), 1_000);
    const { snapshot } = step(tracker, block({ frame: 1 }), 2_000);
    expect(snapshot).toMatchObject({ lastBlockAtMs: 2_000, lastAdvanceAtMs: 1_000, blocks: 2 });
  });

  it('computes rates from counter deltas, not from ffmpeg averages', () => {
    const tracker = new ProgressTracker();
    // ffmpeg's own fps/bitrate/speed are deliberately wrong here.
    const lies = { fps: 999, bitrate: 1, speed: 42 };
    step(tracker, block({ ...lies, frame: 0, totalSizeBytes: 0, outTimeUs: 0 }), 10_000);
    const { snapshot } = step(tracker, block({ ...lies, frame: 50, totalSizeBytes: 250_000, outTimeUs: 2_000_000 }), 12_000);
    expect(snapshot).toMatchObject({ fps: 25, bitrate: 1_000_000, speed: 1, frames: 50, bytes: 250_000, outTimeSeconds: 2 });
  });

  it('has no rates from a single sample', () => {
    const { snapshot } = step(new ProgressTracker(), block({ frame: 10, outTimeUs: 1 }), 0);
    expect(snapshot).not.toHaveProperty('fps');
    expect(snapshot).not.toHaveProperty('speed');
  });

  it('rates follow a slowdown within the window, unlike a since-start average', () => {
    const tracker = new ProgressTracker({ windowMs: 5_000 });
    let frame = 0;
    let last = tracker.snapshot();
    // One hour at 25 fps, then 10 s at 10 fps.
    for (let t = 0; t <= 3_600_000; t += 1_000, frame += 25) last = step(tracker, block({ frame }), t).snapshot;
    expect(last.fps).toBeCloseTo(25);
    for (let t = 3_601_000; t <= 3_610_000; t += 1_000) {
      frame += 10;
      last = step(tracker, block({ frame }), t).snapshot;
    }
    expect(last.fps).toBeCloseTo(10);
    expect(tracker.sampleCount).toBeLessThanOrEqual(7);
  });

  it('holds a bounded number of samples however fast blocks come', () => {
    const tracker = new ProgressTracker({ windowMs: 5_000, maxSamples: 32 });
    for (let i = 0; i < 10_000; i++) step(tracker, block({ frame: i }), i);
    expect(tracker.sampleCount).toBe(32);
    expect(tracker.snapshot().fps).toBeCloseTo(1_000);
  });

  it('reports zero rates once a whole window passes without a block', () => {
    const tracker = new ProgressTracker({ windowMs: 5_000 });
    step(tracker, block({ frame: 0, outTimeUs: 0 }), 0);
    step(tracker, block({ frame: 25, outTimeUs: 1_000_000 }), 1_000);
    expect(tracker.snapshot(3_000)).toMatchObject({ fps: 25, speed: 1 });
    expect(tracker.snapshot(6_000)).toMatchObject({ fps: 0, speed: 0, frames: 25 });
    expect(tracker.snapshot(6_000)).not.toHaveProperty('bitrate');
  });

  it('restarts the window when counters go back instead of reporting negative rates', () => {
    const tracker = new ProgressTracker();
    step(tracker, block({ frame: 100 }), 0);
    step(tracker, block({ frame: 125 }), 1_000);
    const regressed = step(tracker, block({ frame: 5 }), 2_000);
    expect(regressed.advanced).toBe(false);
    expect(regressed.snapshot).not.toHaveProperty('fps');
    expect(step(tracker, block({ frame: 30 }), 3_000).snapshot.fps).toBe(25);
  });

  it('never divides by a clock that stepped back', () => {
    const tracker = new ProgressTracker();
    step(tracker, block({ frame: 0 }), 5_000);
    const { snapshot } = step(tracker, block({ frame: 25 }), 4_000);
    expect(snapshot).not.toHaveProperty('fps');
    expect(snapshot.lastBlockAtMs).toBe(5_000);
  });

  it('marks the run ended on progress=end', () => {
    const tracker = new ProgressTracker();
    expect(step(tracker, block({ frame: 1, ended: true }), 0).snapshot.ended).toBe(true);
  });

  describe.each(fixtures)('on fixture $name (blocks one stats period apart)', ({ name, text }) => {
    const blocks = parseProgress(text);
    const tracker = new ProgressTracker();
    const updates = blocks.map((b, i) => step(tracker, b, i * periodMs(name)));
    // The final block is written at exit, not one period later, so its rates are not comparable.
    const steady = updates.slice(1, -1).map((u) => u.snapshot);

    it('advances on every block after the first', () => {
      expect(updates.slice(1).every((u) => u.advanced)).toBe(true);
    });

    it('measures the source rate of 25 fps for video', () => {
      if (name.includes('audio-only')) return;
      for (const snapshot of steady) {
        expect(snapshot.fps).toBeGreaterThan(24);
        expect(snapshot.fps).toBeLessThan(27);
      }
    });

    it('measures real-time speed once the encoder pipeline is full', () => {
      const settled = steady.at(-1);
      expect(settled?.speed).toBeGreaterThan(name.includes('audio-only') ? 0.95 : 0.5);
      expect(settled?.speed).toBeLessThan(1.1);
    });

    it('keeps the final totals', () => {
      const final = updates.at(-1)?.snapshot;
      expect(final?.outTimeSeconds).toBeCloseTo(4.017, 2);
      expect(final?.ended).toBe(true);
      if (!name.includes('audio-only')) expect(final?.frames).toBe(100);
      if (name.includes('flv')) expect(final?.bytes).toBe(blocks.at(-1)?.totalSizeBytes);
    });
  });
});
