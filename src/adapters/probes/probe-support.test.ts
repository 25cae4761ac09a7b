import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { createRedactor } from '../../domain/redact.js';
import { Deadline, formatSeconds, guardedRun, lastLine, redactDetails } from './probe-support.js';

describe('formatSeconds', () => {
  it.each([
    [10_000, '10 s'],
    [1_500, '1.5 s'],
    [300, '0.3 s'],
    [250, '0.25 s'],
    [12_345, '12.3 s'],
    [0, '0 s'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatSeconds(ms)).toBe(text);
  });
});

describe('Deadline', () => {
  it('fires on its own timeout and says so', async () => {
    const deadline = new Deadline(new AbortController().signal, 20);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect(deadline.timedOut).toBe(true);
    expect(deadline.reason()).toBe('timed out after 0.02 s');
    deadline.dispose();
  });

  it('follows the parent signal, also when already aborted', () => {
    const parent = new AbortController();
    const deadline = new Deadline(parent.signal, 10_000);
    parent.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(false);
    expect(deadline.reason()).toBe('aborted');
    deadline.dispose();
    const late = new Deadline(parent.signal, 10_000);
    expect(late.signal.aborted).toBe(true);
    late.dispose();
  });
});

describe('guardedRun', () => {
  it('measures, redacts, and turns a throw into a failed result', async () => {
    const clock = new FakeClock();
    const redact = createRedactor(['s3cr3t-key']);
    const ok = await guardedRun(clock, redact, () => {
      clock.advance(40);
      return Promise.resolve({ ok: true, message: 'saw rtmp://h/live/s3cr3t-key', details: { url: 'rtmp://h/live/k', n: 1, list: ['s3cr3t-key'] } });
    });
    expect(ok).toEqual({ ok: true, message: 'saw rtmp://h/live/***', durationMs: 40, details: { url: 'rtmp://h/live/***', n: 1, list: ['***'] } });
    const thrown = await guardedRun(clock, redact, () => Promise.reject(new Error('bad s3cr3t-key')));
    expect(thrown).toEqual({ ok: false, message: 'probe error: bad ***', durationMs: 0 });
  });

  it('redactDetails walks nested values', () => {
    expect(redactDetails({ a: { b: ['x-key'] } }, (t) => t.replace('x-key', '***'))).toEqual({ a: { b: ['***'] } });
  });
});

describe('lastLine', () => {
  it('returns the last non-empty line, cut', () => {
    expect(lastLine('a\nb\n\n  \n')).toBe('b');
    expect(lastLine('')).toBe('');
    expect(lastLine('x'.repeat(400), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
