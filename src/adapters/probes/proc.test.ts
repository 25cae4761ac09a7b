import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuPercentBetween, cpuPercentSinceStart, parseProcStat, parseProcStatus, parseUptime } from './proc.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/proc/${name}`, import.meta.url), 'utf8');

describe('parseProcStat', () => {
  it('reads the fields after the last ")" even when comm has spaces and parentheses', () => {
    expect(parseProcStat(fixture('weird-comm.stat'))).toEqual({
      pid: 6645,
      comm: 'we ird) (x',
      state: 'S',
      ppid: 6644,
      pgrp: 6641,
      cpuTicks: 0,
      numThreads: 1,
      startTimeTicks: 190809,
      rssPages: 420,
    });
    expect(parseProcStat(fixture('stopped.stat'))?.state).toBe('T');
  });

  it('reads a zombie', () => {
    expect(parseProcStat(fixture('zombie.stat'))).toMatchObject({ pid: 6758, comm: 'perl', state: 'Z', rssPages: 0 });
  });

  it('sums utime and stime', () => {
    const [, line] = fixture('ffmpeg-busy-1.txt').split('\n');
    expect(parseProcStat(line ?? '')).toMatchObject({ comm: 'ffmpeg', state: 'S', cpuTicks: 193, numThreads: 9 });
  });

  it.each(['', 'garbage', '12 (x)', '12 (x) S 1 2 3', 'x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22'])(
    'rejects %j',
    (text) => {
      expect(parseProcStat(text)).toBeUndefined();
    },
  );
});

describe('parseProcStatus', () => {
  it('reads state, VmRSS and threads', () => {
    expect(parseProcStatus(fixture('weird-comm.status'))).toEqual({ state: 'S', vmRssBytes: 1788 * 1024, threads: 1 });
    expect(parseProcStatus(fixture('ffmpeg-busy.status'))).toEqual({ state: 'S', vmRssBytes: 114812 * 1024, threads: 9 });
  });

  it('a zombie has no VmRSS', () => {
    expect(parseProcStatus(fixture('zombie.status'))).toEqual({ state: 'Z', threads: 1 });
  });

  it('tolerates junk', () => {
    expect(parseProcStatus('')).toEqual({});
    expect(parseProcStatus('VmRSS: lots\nThreads: many')).toEqual({});
  });
});

describe('CPU %', () => {
  const sample = (name: string): { cpuTicks: number; uptimeSeconds: number } => {
    const [uptime, stat] = fixture(name).split('\n');
    const parsed = parseProcStat(stat ?? '');
    const up = parseUptime(uptime ?? '');
    if (parsed === undefined || up === undefined) throw new Error(`bad fixture ${name}`);
    return { cpuTicks: parsed.cpuTicks, uptimeSeconds: up };
  };

  it('between two real samples of a busy ffmpeg: about one core', () => {
    const percent = cpuPercentBetween(sample('ffmpeg-busy-1.txt'), sample('ffmpeg-busy-2.txt'), 100);
    expect(percent).toBeCloseTo((101 / 1.02) , 5);
  });

  it('since start for the first sample', () => {
    const [uptime, stat] = fixture('ffmpeg-busy-1.txt').split('\n');
    const parsed = parseProcStat(stat ?? '');
    if (parsed === undefined) throw new Error('bad fixture');
    // 193 ticks over 1914.31 - 1912.30 s
    expect(cpuPercentSinceStart(parsed, parseUptime(uptime ?? '') ?? 0, 100)).toBeCloseTo((1.93 / (1914.31 - 1912.3)) * 100, 5);
  });

  it('is undefined when no time passed or counters went back', () => {
    expect(cpuPercentBetween({ cpuTicks: 10, uptimeSeconds: 5 }, { cpuTicks: 20, uptimeSeconds: 5 }, 100)).toBeUndefined();
    expect(cpuPercentBetween({ cpuTicks: 10, uptimeSeconds: 5 }, { cpuTicks: 5, uptimeSeconds: 6 }, 100)).toBeUndefined();
  });

  it('parseUptime', () => {
    expect(parseUptime('1909.12 2427.73\n')).toBe(1909.12);
    expect(parseUptime('')).toBeUndefined();
    expect(parseUptime('x y')).toBeUndefined();
  });
});
