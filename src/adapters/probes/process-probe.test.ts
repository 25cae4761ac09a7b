import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { ProcessProbe, type ProcessProbeOptions } from './process-probe.js';

/** A fake procfs in a temp dir: one process whose stat / status the test rewrites. */
class FakeProc {
  readonly root = mkdtempSync(path.join(tmpdir(), 'streamwarden-proc-'));

  set(pid: number, fields: { state?: string; ticks?: number; start?: number; uptime?: number; rssKb?: number | null }): void {
    const { state = 'S', ticks = 0, start = 1000, uptime = 100, rssKb = 51200 } = fields;
    mkdirSync(path.join(this.root, String(pid)), { recursive: true });
    // utime carries all ticks; rss (field 24) is 300 pages.
    const stat = `${pid} (ffmpeg) ${state} 1 ${pid} ${pid} 0 -1 4194304 100 0 0 0 ${ticks} 0 0 0 20 0 9 0 ${start} 482488320 300 18446744073709551615`;
    writeFileSync(path.join(this.root, String(pid), 'stat'), `${stat}\n`);
    const status = [`Name:\tffmpeg`, `State:\t${state} (x)`, ...(rssKb === null ? [] : [`VmRSS:\t  ${rssKb} kB`]), 'Threads:\t9'].join('\n');
    writeFileSync(path.join(this.root, String(pid), 'status'), `${status}\n`);
    writeFileSync(path.join(this.root, 'uptime'), `${uptime.toFixed(2)} 9999.00\n`);
  }

  remove(pid: number): void {
    rmSync(path.join(this.root, String(pid)), { recursive: true, force: true });
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

describe('ProcessProbe', () => {
  let proc: FakeProc;
  let clock: FakeClock;
  let pid: number | undefined;
  const signal = new AbortController().signal;
  const probe = (over: Partial<ProcessProbeOptions> = {}): ProcessProbe =>
    new ProcessProbe({ pid: () => pid, forMs: 10_000, timeoutMs: 2_000, clock, procRoot: proc.root, ...over });

  beforeEach(() => {
    proc = new FakeProc();
    clock = new FakeClock();
    pid = 4242;
  });
  afterEach(() => proc.cleanup());

  it('fails without a process, and for a gone, zombie or stopped one', async () => {
    pid = undefined;
    expect(await probe().run(signal)).toMatchObject({ ok: false, message: 'no process: the stream is not running' });
    pid = 4242;
    expect(await probe().run(signal)).toMatchObject({ ok: false, message: 'process 4242 is gone' });
    proc.set(4242, { state: 'Z' });
    expect(await probe().run(signal)).toMatchObject({ ok: false, message: 'process 4242 is a zombie' });
    proc.set(4242, { state: 'T' });
    expect(await probe().run(signal)).toMatchObject({ ok: false, message: 'process 4242 is stopped' });
  });

  it('reports cpu and rss of a healthy process', async () => {
    // started at 10 s after boot, 50 s later it has used 25 s of CPU: 50 % since start
    proc.set(4242, { start: 1000, uptime: 60, ticks: 2500, rssKb: 51200 });
    const result = await probe().run(signal);
    expect(result).toMatchObject({ ok: true, message: 'process 4242 sleeping, cpu 50.0%, rss 50.0 MiB' });
    expect(result.details).toMatchObject({ pid: 4242, state: 'S', cpuPercent: 50, rssBytes: 50 * 1024 * 1024, threads: 9 });
  });

  it('fails CPU only after the limit has been exceeded for forMs, and recovers', async () => {
    const p = probe({ maxCpuPercent: 80 });
    proc.set(4242, { uptime: 100, ticks: 0 });
    expect((await p.run(signal)).ok).toBe(true);

    clock.advance(5_000);
    proc.set(4242, { uptime: 105, ticks: 475 }); // 4.75 s of CPU in 5 s: 95 %
    const early = await p.run(signal);
    expect(early.ok).toBe(true);
    expect(early.message).toContain('cpu 95.0% above 80% for 0 s (fails after 10 s)');

    clock.advance(5_000);
    proc.set(4242, { uptime: 110, ticks: 950 });
    expect((await p.run(signal)).ok).toBe(true); // 5 s over

    clock.advance(5_000);
    proc.set(4242, { uptime: 115, ticks: 1425 });
    const late = await p.run(signal);
    expect(late).toMatchObject({ ok: false, message: 'process 4242: cpu 95.0% above 80% for 10 s' });

    clock.advance(5_000);
    proc.set(4242, { uptime: 120, ticks: 1475 }); // 10 %
    expect(await p.run(signal)).toMatchObject({ ok: true });
    clock.advance(5_000);
    proc.set(4242, { uptime: 125, ticks: 1950 }); // over again: the timer starts afresh
    expect((await p.run(signal)).ok).toBe(true);
  });

  it('fails RSS after forMs; falls back to rss pages without VmRSS', async () => {
    const p = probe({ maxRssBytes: 40 * 1024 * 1024, forMs: 0 });
    proc.set(4242, { rssKb: 51200 });
    expect(await p.run(signal)).toMatchObject({ ok: false, message: 'process 4242: rss 50.0 MiB above 40.0 MiB for 0 s' });
    proc.set(4242, { rssKb: null });
    const fallback = await probe({ pageSize: 4096 }).run(signal);
    expect(fallback.details).toMatchObject({ rssBytes: 300 * 4096 });
  });

  it('starts afresh when the pid changes or is reused', async () => {
    const p = probe({ maxCpuPercent: 80, forMs: 4_000 });
    proc.set(4242, { uptime: 100, ticks: 0 });
    await p.run(signal);
    clock.advance(5_000);
    proc.set(4242, { uptime: 105, ticks: 475 });
    expect((await p.run(signal)).ok).toBe(true);
    // same pid, new process (different start time), busy since its start
    clock.advance(5_000);
    proc.set(4242, { uptime: 110, ticks: 300, start: 10_700 });
    const reused = await p.run(signal);
    expect(reused.ok).toBe(true);
    expect(reused.message).toContain('for 0 s');
  });

  it('repeats the last CPU figure when run again too soon to measure', async () => {
    const p = probe();
    proc.set(4242, { uptime: 100, ticks: 0 });
    await p.run(signal);
    proc.set(4242, { uptime: 102, ticks: 100 }); // 50 %
    expect((await p.run(signal)).details).toMatchObject({ cpuPercent: 50 });
    proc.set(4242, { uptime: 102.1, ticks: 110 });
    expect((await p.run(signal)).details).toMatchObject({ cpuPercent: 50 });
    proc.set(4242, { uptime: 104, ticks: 300 }); // measured from uptime 102: 200 ticks in 2 s
    expect((await p.run(signal)).details).toMatchObject({ cpuPercent: 100 });
  });

  it('never rejects', async () => {
    const p = new ProcessProbe({
      pid: () => {
        throw new Error('boom');
      },
      forMs: 0,
      timeoutMs: 100,
      clock,
    });
    expect(await p.run(signal)).toMatchObject({ ok: false, message: 'probe error: boom' });
  });
});
