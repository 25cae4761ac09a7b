import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectPageSize, parseProcStat, parseResidentBytes, procfsReader } from './procfs.js';

/** A /proc/PID/stat line with the given command name, utime, stime, starttime, rss (pages) and state. */
function statLine(comm: string, utime: number, stime: number, start: number, rssPages = 250, state = 'S'): string {
  const fields = [state, '1', '4242', '4242', '0', '-1', '4194560', '100', '0', '0', '0', String(utime), String(stime), '0', '0', '20', '0', '1', '0', String(start), '1000', String(rssPages)];
  return `4242 (${comm}) ${fields.join(' ')}\n`;
}

const STATUS = 'Name:\tffmpeg\nState:\tS (sleeping)\nVmPeak:\t  200000 kB\nVmRSS:\t   51200 kB\nThreads:\t4\n';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('/proc parsing', () => {
  it('reads state, utime + stime, the start time and rss after the last ")" of the command name', () => {
    expect(parseProcStat(statLine('ffmpeg', 150, 50, 98765))).toEqual({ state: 'S', cpuTicks: 200, startTicks: 98765, rssPages: 250 });
    expect(parseProcStat(statLine('ff mpeg) (x', 1, 2, 3, 7, 'R'))).toEqual({ state: 'R', cpuTicks: 3, startTicks: 3, rssPages: 7 });
  });

  it.each(['', 'garbage', '4242 (ffmpeg) S 1 2', statLine('ffmpeg', -1, 0, 1)])('rejects %j', (line) => {
    expect(parseProcStat(line)).toBeUndefined();
  });

  it('reads VmRSS in bytes; a zombie has none', () => {
    expect(parseResidentBytes(STATUS)).toBe(51_200 * 1024);
    expect(parseResidentBytes('Name:\tffmpeg\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('reads a process through a /proc tree (stat only); a zombie and a process that is gone answer undefined', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sw-proc-'));
    dirs.push(root);
    mkdirSync(path.join(root, '4242'));
    writeFileSync(path.join(root, '4242', 'stat'), statLine('ffmpeg', 250, 50, 777, 12_800));
    mkdirSync(path.join(root, '4244'));
    writeFileSync(path.join(root, '4244', 'stat'), statLine('ffmpeg', 1, 1, 1, 0, 'Z'));
    const reader = procfsReader(100, root, 4096);
    expect(await reader.read(4242)).toEqual({ cpuSeconds: 3, residentBytes: 12_800 * 4096, startTicks: 777 });
    expect(await reader.read(4243)).toBeUndefined();
    expect(await reader.read(4244)).toBeUndefined();
  });

  it('derives the page size from its own rss in pages and in kB, and falls back to 4 KiB', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sw-proc-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'self'));
    writeFileSync(path.join(root, 'self', 'stat'), statLine('node', 1, 1, 1, 3_200));
    writeFileSync(path.join(root, 'self', 'status'), STATUS); // VmRSS 51,200 kB = 3,200 pages of 16 KiB
    expect(detectPageSize(root)).toBe(16_384);
    expect(detectPageSize(path.join(root, 'missing'))).toBe(4096);
    expect([4096, 16_384, 65_536]).toContain(detectPageSize()); // this machine's, whatever it is
  });

  it('reads this very process from the real /proc', async () => {
    const stats = await procfsReader().read(process.pid);
    expect(stats?.residentBytes).toBeGreaterThan(1024 * 1024);
    expect(stats?.cpuSeconds).toBeGreaterThan(0);
  });
});
