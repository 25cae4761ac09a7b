/**
 * The shared-beat FIFO reader against real FIFOs and a fake clock: nothing is read between
 * beats, every beat reads each pipe once, a drain reads at once, EOF and destroy close once.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { FifoPoller } from './fifo-poller.js';

let dir: string;
const writers: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fifo-poller-'));
});
afterEach(() => {
  for (const fd of writers.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A FIFO with a writer holding it read+write, as the child does. */
function fifo(name: string): { file: string; writer: number } {
  const file = path.join(dir, name);
  execFileSync('mkfifo', ['-m', '0600', file]);
  const writer = openSync(file, constants.O_RDWR);
  writers.push(writer);
  return { file, writer };
}

function setup() {
  const clock = new FakeClock(0);
  const poller = new FifoPoller(clock, 500);
  const got: string[] = [];
  let closes = 0;
  const open = (file: string) => poller.open(file, (text) => got.push(text), () => (closes += 1));
  return { clock, poller, got, open, closes: () => closes };
}

describe('FifoPoller', () => {
  it('reads each pipe once per beat, not as data arrives', () => {
    const { clock, got, open } = setup();
    const a = fifo('a');
    const b = fifo('b');
    expect(open(a.file)).toBeDefined();
    expect(open(b.file)).toBeDefined();
    writeSync(a.writer, 'frame=1\nprogress=continue\n');
    writeSync(b.writer, 'frame=9\n');
    writeSync(a.writer, 'frame=2\nprogress=continue\n');
    clock.advance(499);
    expect(got).toEqual([]);
    clock.advance(1);
    expect(got).toEqual(['frame=1\nprogress=continue\nframe=2\nprogress=continue\n', 'frame=9\n']);
    clock.advance(500);
    expect(got).toHaveLength(2); // empty pipes deliver nothing
  });

  it('keeps a character split across two beats whole', () => {
    const { clock, got, open } = setup();
    const a = fifo('a');
    open(a.file);
    const bytes = Buffer.from('é', 'utf8');
    writeSync(a.writer, bytes.subarray(0, 1));
    clock.advance(500);
    writeSync(a.writer, bytes.subarray(1));
    clock.advance(500);
    expect(got.join('')).toBe('é');
  });

  it('drains at once on request, and closes once at EOF, leaving the beat', async () => {
    const { clock, poller, got, open, closes } = setup();
    const a = fifo('a');
    const reader = open(a.file);
    writeSync(a.writer, 'last words\n');
    closeSync(a.writer); // the only writer is gone
    reader?.drain();
    expect(got).toEqual(['last words\n']);
    await Promise.resolve();
    expect(closes()).toBe(1);
    expect(reader?.closed).toBe(true);
    expect(poller.size).toBe(0);
    clock.advance(5_000);
    expect(closes()).toBe(1);
  });

  it('delivers what is buffered on destroy, then closes once', async () => {
    const { got, open, closes } = setup();
    const a = fifo('a');
    const reader = open(a.file);
    writeSync(a.writer, 'pending\n');
    reader?.destroy();
    reader?.destroy();
    await Promise.resolve();
    expect(got).toEqual(['pending\n']);
    expect(closes()).toBe(1);
  });

  it('survives a handler that destroys its own reader mid-delivery', async () => {
    const clock = new FakeClock(0);
    const poller = new FifoPoller(clock, 500);
    const a = fifo('a');
    let closes = 0;
    const reader = poller.open(a.file, () => reader?.destroy(), () => (closes += 1));
    writeSync(a.writer, 'x'.repeat(70_000).slice(0, 65_536)); // a full buffer: the loop would read again
    clock.advance(500);
    await Promise.resolve();
    expect(closes).toBe(1);
    expect(poller.size).toBe(0);
  });

  it('refuses what is not a FIFO', () => {
    const { open } = setup();
    const plain = path.join(dir, 'plain');
    writeFileSync(plain, 'text');
    expect(open(plain)).toBeUndefined();
    expect(open(path.join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new FifoPoller(new FakeClock(0), 0)).toThrow('a FIFO poll interval must be positive, got 0');
  });
});
