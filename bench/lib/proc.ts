/**
 * /proc readings for the benchmarks: CPU time and RSS of one process, and which live processes
 * run a given executable. Builds on test/helpers/proc.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { listProcesses, type ProcStat } from '../../test/helpers/proc.js';

let clockTicks: number | undefined;

/** Clock ticks per second (USER_HZ) for the utime/stime fields of /proc/PID/stat. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    let value = Number.NaN;
    try {
      value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // getconf missing: Linux reports USER_HZ = 100 on every common architecture
    }
    clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** utime + stime of `pid` in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = line.slice(line.lastIndexOf(')') + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return utime + stime;
}

/** A field of /proc/PID/status in KiB (VmRSS, VmHWM …). */
export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

function exeOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
  } catch {
    return [];
  }
}

/** Live (non-zombie) processes whose executable is exactly `exe`. */
export function liveProcessesOfExe(exe: string): ProcStat[] {
  const target = realpathSync(exe);
  return listProcesses().filter((p) => p.state !== 'Z' && exeOf(p.pid) === target);
}

/** Live (non-zombie) processes running `exe` with `marker` among their arguments. */
export function liveProcessesWithArg(exe: string, marker: string): ProcStat[] {
  const target = realpathSync(exe);
  return listProcesses().filter(
    (p) => p.state !== 'Z' && exeOf(p.pid) === target && cmdlineOf(p.pid).includes(marker),
  );
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.slice(line.lastIndexOf(')') + 1).trim()[0] !== 'Z';
  } catch {
    return false;
  }
}
