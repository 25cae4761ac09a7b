/**
 * The few OS facts the FIFO runner needs about processes that are not (or no longer) its
 * children, behind one small interface so the adopted-process logic is unit-tested with a fake.
 * The Linux implementation reads /proc synchronously: each read is a few microseconds and a
 * validation followed by a signal must happen in one turn of the event loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, type ProcStat } from '../probes/proc.js';
import type { GroupSignal } from '../../ports/process-runner.js';

export interface ProcessSystem {
  /** /proc/sys/kernel/random/boot_id, trimmed. */
  bootId(): string;
  /** Parsed /proc/PID/stat, or undefined when there is no such process (or it is unreadable). */
  stat(pid: number): ProcStat | undefined;
  /** Raw /proc/PID/cmdline, or undefined when unreadable. */
  cmdline(pid: number): Buffer | undefined;
  /** Every process whose process group is `pgid` (zombies included). */
  groupMembers(pgid: number): ProcStat[];
  /**
   * kill(2) on a process group (`-pgid`). True when delivered, false when the group is gone or
   * the signal was refused. Never throws. Refuses pgid <= 1 (kill(0) / kill(-1) semantics).
   */
  killGroup(pgid: number, signal: GroupSignal): boolean;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export const linuxProcessSystem: ProcessSystem = {
  bootId(): string {
    return (readText('/proc/sys/kernel/random/boot_id') ?? '').trim();
  },
  stat(pid: number): ProcStat | undefined {
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    const text = readText(`/proc/${pid}/stat`);
    return text === undefined ? undefined : parseProcStat(text);
  },
  cmdline(pid: number): Buffer | undefined {
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    try {
      return readFileSync(`/proc/${pid}/cmdline`);
    } catch {
      return undefined;
    }
  },
  groupMembers(pgid: number): ProcStat[] {
    const members: ProcStat[] = [];
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return members;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const text = readText(`/proc/${entry}/stat`);
      if (text === undefined) continue; // exited meanwhile
      const stat = parseProcStat(text);
      if (stat !== undefined && stat.pgrp === pgid) members.push(stat);
    }
    return members;
  },
  killGroup(pgid: number, signal: GroupSignal): boolean {
    if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      // ESRCH (gone) or EPERM (not ours): nothing sensible to do from a signal path.
      return false;
    }
  },
};
