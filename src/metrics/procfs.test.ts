import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcStatTimes, parseResidentBytes, procfsReader } from './procfs.js';

/** A /proc/PID/stat line with the given command name, utime, stime and starttime. */
function statLine(comm: string, utime: number, stime: number, start: number): string {
  const fields = ['S', '1', '4242', '4242', '0', '-1', '4194560', '100', '0', '0', '0', String(utime), String(stime), '0', '0', '20', '0', '1', '0', String(start), '1000', '250'];
  return `4242 (${comm}) ${fields.join(' ')}\n`;
}

const STATUS = 'Name:\tffmpeg\nState:\tS (sleeping)\nVmPeak:\t  200000 kB\nVmRSS:\t   51200 kB\nThreads:\t4\n';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('/proc parsing', () => {
  it('reads utime + stime and the start time after the last ")" of the command name', () => {
    expect(parseProcStatTimes(statLine('ffmpeg', 150, 50, 98765))).toEqual({ cpuTicks: 200, startTicks: 98765 });
    expect(parseProcStatTimes(statLine('ff mpeg) (x', 1, 2, 3))).toEqual({ cpuTicks: 3, startTicks: 3 });
  });

  it.each(['', 'garbage', '4242 (ffmpeg) S 1 2', statLine('ffmpeg', -1, 0, 1)])('rejects %j', (line) => {
    expect(parseProcStatTimes(line)).toBeUndefined();
  });

  it('reads VmRSS in bytes; a zombie has none', () => {
    expect(parseResidentBytes(STATUS)).toBe(51_200 * 1024);
    expect(parseResidentBytes('Name:\tffmpeg\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('reads a process through a /proc tree, and answers undefined for one that is gone', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sw-proc-'));
    dirs.push(root);
    mkdirSync(path.join(root, '4242'));
    writeFileSync(path.join(root, '4242', 'stat'), statLine('ffmpeg', 250, 50, 777));
    writeFileSync(path.join(root, '4242', 'status'), STATUS);
    const reader = procfsReader(100, root);
    expect(await reader.read(4242)).toEqual({ cpuSeconds: 3, residentBytes: 51_200 * 1024, startTicks: 777 });
    expect(await reader.read(4243)).toBeUndefined();
  });

  it('reads this very process from the real /proc', async () => {
    const stats = await procfsReader().read(process.pid);
    expect(stats?.residentBytes).toBeGreaterThan(1024 * 1024);
    expect(stats?.cpuSeconds).toBeGreaterThan(0);
  });
});
