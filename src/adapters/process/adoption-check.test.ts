import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../probes/proc.js';
import type { AdoptRefusalReason, AdoptRequest } from '../../ports/process-runner.js';
import {
  checkAdoption,
  checkIdentity,
  cmdlineHashForArgs,
  cmdlineMatches,
  liveness,
  splitCmdline,
  type ObservedProcess,
} from './adoption-check.js';

const BOOT = 'b08853ce-8860-43aa-82b5-d426f5364a18';
const ARGS = ['-hide_banner', '-progress', 'pipe:3', '-i', 'rtmp://127.0.0.1/in', '-f', 'flv', 'rtmp://127.0.0.1/live/key'];

function cmdline(...argv: string[]): Buffer {
  return Buffer.from(argv.map((a) => `${a}\0`).join(''), 'utf8');
}

function stat(overrides: Partial<ProcStat> = {}): ProcStat {
  return {
    pid: 4242,
    comm: 'ffmpeg',
    state: 'S',
    ppid: 1,
    pgrp: 4242,
    cpuTicks: 10,
    numThreads: 4,
    startTimeTicks: 123_456,
    rssPages: 1000,
    ...overrides,
  };
}

const request: AdoptRequest = {
  pid: 4242,
  pgid: 4242,
  startTicks: 123_456,
  bootId: BOOT,
  cmdlineHash: cmdlineHashForArgs(ARGS),
  paths: { dir: '/run/sw/run-a-x', progressPipe: '/run/sw/run-a-x/progress', stderrPipe: '/run/sw/run-a-x/stderr' },
};

const observed: ObservedProcess = { bootId: BOOT, stat: stat(), cmdline: cmdline('/usr/bin/ffmpeg', ...ARGS) };

describe('checkAdoption', () => {
  it('accepts our live process', () => {
    expect(checkAdoption(request, observed)).toEqual({ ok: true });
  });

  const refusals: Array<[string, Partial<AdoptRequest>, Partial<ObservedProcess>, AdoptRefusalReason]> = [
    ['a reboot (another boot id)', {}, { bootId: '0b7c2d3e-0000-4000-8000-000000000000' }, 'other-boot'],
    ['an entry without a boot id', { bootId: '' }, {}, 'other-boot'],
    ['no such pid', {}, { stat: undefined, cmdline: undefined }, 'not-running'],
    ['the pid reused by a process started later', {}, { stat: stat({ startTimeTicks: 999_999 }) }, 'pid-reused'],
    ['the pid reused by a process started earlier', {}, { stat: stat({ startTimeTicks: 1 }) }, 'pid-reused'],
    ['a zombie', {}, { stat: stat({ state: 'Z' }) }, 'zombie'],
    ['a dead process (X)', {}, { stat: stat({ state: 'X' }) }, 'zombie'],
    ['a process that left its group', {}, { stat: stat({ pgrp: 77 }) }, 'group-mismatch'],
    ['another command line', {}, { cmdline: cmdline('/usr/bin/ffmpeg', ...ARGS.slice(0, -1), 'rtmp://127.0.0.1/live/other') }, 'cmdline-mismatch'],
    ['another program with fewer arguments', {}, { cmdline: cmdline('/bin/sleep', '1000') }, 'cmdline-mismatch'],
    ['an empty command line (kernel thread)', {}, { cmdline: Buffer.alloc(0) }, 'cmdline-mismatch'],
    ['a malformed stored fingerprint', { cmdlineHash: 'sha256:abc' }, {}, 'cmdline-mismatch'],
    ['no stored fingerprint', { cmdlineHash: undefined }, {}, 'cmdline-unknown'],
    ['a command line that vanished while checked', {}, { cmdline: undefined }, 'not-running'],
    ['pid 1', { pid: 1 }, {}, 'invalid-entry'],
    ['pid 0', { pid: 0 }, {}, 'invalid-entry'],
    ['a negative pid', { pid: -4242 }, {}, 'invalid-entry'],
    ['pgid 0 (kill(0) = our own group)', { pgid: 0 }, {}, 'invalid-entry'],
    ['pgid 1 (kill(-1) = every process)', { pgid: 1 }, {}, 'invalid-entry'],
    ['a fractional start time', { startTicks: 1.5 }, {}, 'invalid-entry'],
    ['a NaN pid', { pid: Number.NaN }, {}, 'invalid-entry'],
  ];

  it.each(refusals)('refuses %s', (_name, req, obs, reason) => {
    const verdict = checkAdoption({ ...request, ...req }, { ...observed, ...obs });
    expect(verdict).toMatchObject({ ok: false, reason });
    if (!verdict.ok) expect(verdict.detail.length).toBeGreaterThan(0);
  });

  it('checks the boot before anything about the pid (after a reboot every pid is void)', () => {
    const verdict = checkAdoption(request, { bootId: 'other', stat: stat({ state: 'Z', startTimeTicks: 1 }), cmdline: undefined });
    expect(verdict).toMatchObject({ ok: false, reason: 'other-boot' });
  });

  it('reports a reused pid as reused even when its command line looks like ours', () => {
    const verdict = checkAdoption(request, { ...observed, stat: stat({ startTimeTicks: 5 }) });
    expect(verdict).toMatchObject({ ok: false, reason: 'pid-reused' });
  });

  it('accepts a stopped (SIGSTOP) process: alive, the watchdog deals with the stall', () => {
    expect(checkAdoption(request, { ...observed, stat: stat({ state: 'T' }) })).toEqual({ ok: true });
  });

  it('compares boot ids ignoring case and surrounding whitespace', () => {
    expect(checkAdoption({ ...request, bootId: ` ${BOOT.toUpperCase()}\n` }, observed)).toEqual({ ok: true });
  });

  it('checkIdentity leaves the command line out', () => {
    expect(checkIdentity({ ...request, cmdlineHash: undefined }, { bootId: BOOT, stat: stat() })).toEqual({ ok: true });
  });
});

describe('command-line fingerprint', () => {
  const hash = cmdlineHashForArgs(ARGS);

  it('matches whatever runs the arguments: a binary, an env shebang, an interpreter', () => {
    expect(cmdlineMatches(hash, cmdline('ffmpeg', ...ARGS))).toBe(true);
    expect(cmdlineMatches(hash, cmdline('/usr/bin/env', 'node', '/opt/fake-ffmpeg.mjs', ...ARGS))).toBe(true);
    expect(cmdlineMatches(hash, cmdline('node', '/opt/fake-ffmpeg.mjs', ...ARGS))).toBe(true);
  });

  it('needs a program in front of the arguments', () => {
    expect(cmdlineMatches(hash, cmdline(...ARGS))).toBe(false);
  });

  it('tells empty arguments and argument boundaries apart', () => {
    const a = cmdlineHashForArgs(['a', '', 'b']);
    expect(cmdlineMatches(a, cmdline('x', 'a', '', 'b'))).toBe(true);
    expect(cmdlineMatches(a, cmdline('x', 'a', 'b'))).toBe(false);
    expect(cmdlineHashForArgs(['ab', 'c'])).not.toBe(cmdlineHashForArgs(['a', 'bc']));
  });

  it('handles non-ASCII arguments byte for byte', () => {
    const args = ['-metadata', 'title=Zürich – 東京'];
    expect(cmdlineMatches(cmdlineHashForArgs(args), cmdline('ffmpeg', ...args))).toBe(true);
  });

  it('matches a command line without the trailing NUL (a process that rewrote its argv)', () => {
    expect(cmdlineMatches(cmdlineHashForArgs(['b']), Buffer.from('a\0b'))).toBe(true);
  });

  it('matches a process with no arguments at all', () => {
    expect(cmdlineMatches(cmdlineHashForArgs([]), cmdline('ffmpeg'))).toBe(true);
    expect(cmdlineMatches(cmdlineHashForArgs([]), Buffer.alloc(0))).toBe(false);
  });

  it('splits /proc cmdline into arguments', () => {
    expect(splitCmdline(cmdline('a', '', 'c')).map((b) => b.toString())).toEqual(['a', '', 'c']);
    expect(splitCmdline(Buffer.alloc(0))).toEqual([]);
  });
});

describe('liveness', () => {
  it.each([
    ['running', stat(), 'alive'],
    ['sleeping in D', stat({ state: 'D' }), 'alive'],
    ['stopped', stat({ state: 'T' }), 'alive'],
    ['gone from /proc', undefined, 'gone'],
    ['a zombie', stat({ state: 'Z' }), 'gone'],
    ['the pid reused', stat({ startTimeTicks: 7 }), 'gone'],
  ] as const)('%s → %s', (_name, s, expected) => {
    expect(liveness(s, 123_456)).toBe(expected);
  });
});
