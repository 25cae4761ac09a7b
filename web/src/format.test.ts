import { describe, expect, it } from 'vitest';
import { ago, bitrate, duration, fps, speed, streamTone, toneLabel } from './format.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const before = (seconds: number) => new Date(now - seconds * 1_000).toISOString();

describe('format', () => {
  it.each([
    [null, 'Never'],
    ['not a date', 'Never'],
    [before(2), 'just now'],
    [before(12), '12s ago'],
    [before(300), '5m ago'],
    [before(7_300), '2h ago'],
    [before(200_000), '2d ago'],
  ])('ago(%s) is %s', (iso, text) => {
    expect(ago(iso, now)).toBe(text);
  });

  it.each([
    [0, '–'],
    [null, '–'],
    [45, '45s'],
    [723, '12m 3s'],
    [3_725, '1h 2m'],
    [273_600, '3d 4h'],
  ])('duration(%s) is %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  it('formats rates', () => {
    expect(bitrate(2_500_000)).toBe('2.50 Mb/s');
    expect(bitrate(96_400)).toBe('96 kb/s');
    expect(bitrate(null)).toBe('–');
    expect(fps(14.96)).toBe('15.0');
    expect(speed(1.002)).toBe('1.00×');
  });

  it.each([
    ['running', 'healthy', 'healthy', 'healthy'],
    ['running', 'degraded', 'degraded', 'degraded'],
    ['backoff', 'unhealthy', 'unhealthy', 'unhealthy'],
    ['stopped', 'unhealthy', 'unknown', 'stopped'],
    ['starting', 'unknown', 'unknown', 'unknown'],
  ])('a %s stream with health %s is %s (%s)', (state, health, tone, label) => {
    const t = streamTone(state, health);
    expect(t).toBe(tone);
    expect(toneLabel(t, state)).toBe(label);
  });
});
