/**
 * Reading /proc for tests: which processes are in a process group; making sure none is left.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { waitFor } from './wait-for.js';

export interface ProcStat {
  pid: number;
  /** The command name, without the surrounding parentheses (may contain spaces and ')'). */
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
}

/**
 * Parses one /proc/PID/stat line. `comm` is in parentheses and may itself contain spaces and
 * parentheses, so the fields after it are read after the LAST ')'.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  const rest = line.slice(close + 1).trim().split(/\s+/);
  const [state, ppid, pgrp, session] = rest;
  if (state === undefined || ppid === undefined || pgrp === undefined || session === undefined) return undefined;
  return {
    pid,
    comm: line.slice(open + 1, close),
    state,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
  };
}

/** Every process in /proc (processes that vanish while reading are skipped). */
export function listProcesses(): ProcStat[] {
  const result: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let line: string;
    try {
      line = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const stat = parseProcStat(line);
    if (stat !== undefined) result.push(stat);
  }
  return result;
}

/**
 * Processes whose process group is `pgid`. Zombies (state Z) are included by default: a zombie
 * is still a process table entry. Pass `{ includeZombies: false }` to count only live ones — an
 * orphaned zombie is dead and reaped by pid 1 whenever it gets round to it (slowly, in some
 * containers), which is not ours to wait for.
 */
export function processesInGroup(pgid: number, options: { includeZombies?: boolean } = {}): ProcStat[] {
  const includeZombies = options.includeZombies ?? true;
  return listProcesses().filter((p) => p.pgrp === pgid && (includeZombies || p.state !== 'Z'));
}

/** The process's /proc stat, or undefined when there is no such process. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists (zombies count as existing). */
export function processExists(pid: number): boolean {
  return readProcStat(pid) !== undefined;
}

/** True while a process with this pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** SIGKILLs each process group; one already gone is fine. */
export function killGroups(groups: Iterable<number>): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
}

/**
 * Waits (5 s) for the process groups to empty, then SIGKILLs whatever is left: a test never leaves
 * ffmpeg running. Throws (after the kill) when they did not empty on their own.
 */
export async function reapGroups(groups: Iterable<number>, what = 'every ffmpeg process group to be empty'): Promise<void> {
  const pgids = [...groups];
  try {
    await waitFor(() => pgids.every((pgid) => processesInGroup(pgid, { includeZombies: false }).length === 0), { timeoutMs: 5_000, description: what });
  } finally {
    killGroups(pgids);
  }
}
