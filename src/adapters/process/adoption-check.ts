/**
 * Is this stored pid still the process we started? Pure functions over already-read /proc data,
 * so every rule is unit-tested without processes.
 *
 * A pid is trusted only if ALL of these hold (checked in this order, first failure wins):
 *   1. the entry is plausible (pid > 1, pgid > 1: kill(-0) / kill(-1) would hit our own group /
 *      every process; start ticks a non-negative integer);
 *   2. same boot (/proc/sys/kernel/random/boot_id) — after a reboot every pid is void;
 *   3. /proc/PID exists;
 *   4. its start time (field 22 of /proc/PID/stat, ticks after boot) equals the stored one — a
 *      reused pid has another start time;
 *   5. it is not a zombie (Z) or dead (X): ours, but already exited;
 *   6. it still leads the process group we would signal;
 *   7. its command line carries our fingerprint.
 *
 * The command-line fingerprint covers the arguments after argv[0], not argv[0] itself: a
 * `#!/usr/bin/env node` script shows up as `/usr/bin/env node script …` for a moment and then as
 * `node script …`, and a PATH lookup leaves argv[0] as typed, so argv[0] is not stable. The
 * arguments are preserved by the kernel in every case (they are the tail of /proc/PID/cmdline),
 * and for ffmpeg they hold the input and output URLs: specific enough that a stranger with the
 * same pid AND start time AND arguments is not a practical risk. Format:
 * `argv-tail-sha256:<argument count>:<hex sha256 of each argument followed by NUL>`.
 */
import { createHash } from 'node:crypto';
import type { ProcStat } from '../probes/proc.js';
import type { AdoptRefusalReason, AdoptRequest } from '../../ports/process-runner.js';

const HASH_PREFIX = 'argv-tail-sha256';
const NUL = Buffer.from([0]);

/** What was read from /proc about the candidate, at one moment. */
export interface ObservedProcess {
  /** The current boot id (trimmed). */
  readonly bootId: string;
  /** Parsed /proc/PID/stat; undefined when there is no such pid. */
  readonly stat: ProcStat | undefined;
  /** Raw /proc/PID/cmdline; undefined when unreadable. Not read before the stat checks pass. */
  readonly cmdline: Buffer | undefined;
}

export type AdoptionVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AdoptRefusalReason; readonly detail: string };

/** The fingerprint of a command line whose arguments after argv[0] are `args` (UTF-8, as node passes them). */
export function cmdlineHashForArgs(args: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const arg of args) {
    if (typeof arg === 'string') hash.update(arg, 'utf8');
    else hash.update(arg);
    hash.update(NUL);
  }
  return `${HASH_PREFIX}:${args.length}:${hash.digest('hex')}`;
}

/** /proc/PID/cmdline (NUL-separated, NUL-terminated) as an argv of raw bytes. */
export function splitCmdline(raw: Buffer): Buffer[] {
  if (raw.length === 0) return [];
  const body = raw[raw.length - 1] === 0 ? raw.subarray(0, raw.length - 1) : raw;
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = body.indexOf(0, start);
    if (end < 0) break;
    parts.push(body.subarray(start, end));
    start = end + 1;
  }
  parts.push(body.subarray(start));
  return parts;
}

/** True when `raw` (a /proc/PID/cmdline) carries the fingerprint `expected`. */
export function cmdlineMatches(expected: string, raw: Buffer): boolean {
  const match = /^argv-tail-sha256:(\d+):([0-9a-f]{64})$/.exec(expected);
  if (match === null) return false;
  const count = Number(match[1]);
  const argv = splitCmdline(raw);
  // argv[0] (the program) must be there in front of the arguments.
  if (!Number.isSafeInteger(count) || argv.length < count + 1) return false;
  return cmdlineHashForArgs(argv.slice(argv.length - count)) === expected;
}

/** A stat state that means "exited": zombie (not yet reaped) or dead. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

function refuse(reason: AdoptRefusalReason, detail: string): AdoptionVerdict {
  return { ok: false, reason, detail };
}

/** Checks 1–6: everything but the command line (which needs another /proc read). */
export function checkIdentity(request: AdoptRequest, observed: Omit<ObservedProcess, 'cmdline'>): AdoptionVerdict {
  const { pid, pgid, startTicks } = request;
  if (!Number.isSafeInteger(pid) || pid <= 1) return refuse('invalid-entry', `pid ${pid} is not a process we could have started`);
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return refuse('invalid-entry', `process group ${pgid} cannot be signalled safely`);
  if (!Number.isSafeInteger(startTicks) || startTicks < 0) return refuse('invalid-entry', `start time ${startTicks} is not valid`);
  const storedBoot = request.bootId.trim().toLowerCase();
  if (storedBoot === '' || storedBoot !== observed.bootId.trim().toLowerCase()) {
    return refuse('other-boot', `started under boot ${storedBoot || '(none)'}, this is boot ${observed.bootId.trim()}`);
  }
  const stat = observed.stat;
  if (stat === undefined) return refuse('not-running', `no process ${pid}`);
  if (stat.startTimeTicks !== startTicks) {
    return refuse('pid-reused', `process ${pid} started at tick ${stat.startTimeTicks}, ours at tick ${startTicks}`);
  }
  if (isDeadState(stat.state)) return refuse('zombie', `process ${pid} has exited (state ${stat.state}) and awaits reaping`);
  if (stat.pgrp !== pgid) return refuse('group-mismatch', `process ${pid} is in group ${stat.pgrp}, expected ${pgid}`);
  return { ok: true };
}

/** All checks (1–7). */
export function checkAdoption(request: AdoptRequest, observed: ObservedProcess): AdoptionVerdict {
  const identity = checkIdentity(request, observed);
  if (!identity.ok) return identity;
  if (request.cmdlineHash === undefined || request.cmdlineHash === '') {
    return refuse('cmdline-unknown', `no command-line fingerprint stored for process ${request.pid}`);
  }
  if (observed.cmdline === undefined) return refuse('not-running', `process ${request.pid} vanished while being checked`);
  if (!cmdlineMatches(request.cmdlineHash, observed.cmdline)) {
    return refuse('cmdline-mismatch', `process ${request.pid} does not run the command line we started`);
  }
  return { ok: true };
}

/**
 * While attached: is the process still the one we know? `gone` when the pid vanished, was
 * reused (another start time) or is a zombie.
 */
export function liveness(stat: ProcStat | undefined, startTicks: number): 'alive' | 'gone' {
  if (stat === undefined || stat.startTimeTicks !== startTicks || isDeadState(stat.state)) return 'gone';
  return 'alive';
}
