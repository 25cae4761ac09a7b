/**
 * A process a previous daemon started, re-attached after validation (adoption-check.ts).
 *
 * It is not our child: no 'exit' event, no exit status, and node has no pidfd. So:
 * - exit is detected by polling /proc/PID/stat every `pollMs` (through the injected clock):
 *   gone, another start time (pid reused) or a zombie all mean "exited"; EOF on a FIFO (its last
 *   writer, the process, is gone) triggers an immediate check;
 * - `onExit` reports `{ code: null, signal: null, unknownExit: true }`, once, after the readers
 *   ended (or after `drainGraceMs`, which leaves the event loop a turn to read what the process
 *   wrote last), and after the run folder was removed;
 * - `signalGroup` re-reads /proc/PID/stat right before kill(2) and signals `-pgid` only while the
 *   pid still has our start time, is not a zombie and still leads our group: a pid that was
 *   reused while we were not looking is never signalled;
 * - after the leader is gone, members left in its group are SIGKILLed — only when each of them
 *   started after our leader and no stranger now holds the group's number (pgid reuse).
 */
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type {
  ChildProcessHandle,
  GroupSignal,
  ProcessHandlers,
  RuntimeIdentity,
} from '../../ports/process-runner.js';
import { isDeadState, liveness } from './adoption-check.js';
import type { ProcessSystem } from './process-system.js';
import type { FifoPoller } from './fifo-poller.js';
import { RunOutput, safeCall, type PipeName } from './run-output.js';
import { removeRunDir } from './runtime-dir.js';

export interface AdoptedRunDeps {
  readonly system: ProcessSystem;
  readonly clock: Pick<Clock, 'setTimer'>;
  readonly pollMs: number;
  readonly drainGraceMs: number;
  readonly onDone: (dir: string) => void;
  /** Reads the progress pipe on a shared beat (see fifo-poller.ts); without it, as data arrives. */
  readonly progressPoller?: FifoPoller;
}

export class AdoptedRun implements ChildProcessHandle {
  readonly pid: number;
  readonly missingPipes: readonly PipeName[];
  private readonly output: RunOutput;
  private pollTimer: TimerHandle | undefined;
  private drainTimer: TimerHandle | undefined;
  /** Set once the process was seen gone. */
  private gone = false;
  private finished = false;

  constructor(
    private readonly identity: RuntimeIdentity,
    private readonly handlers: ProcessHandlers,
    private readonly deps: AdoptedRunDeps,
  ) {
    this.pid = identity.pid;
    this.output = new RunOutput(identity.paths, ['progress', 'stderr'], handlers, (stillOpen) => this.onReaderClosed(stillOpen), deps.progressPoller);
    this.missingPipes = [...this.output.missing];
    this.schedulePoll();
  }

  describe(): RuntimeIdentity {
    return this.identity;
  }

  signalGroup(signal: GroupSignal): void {
    if (this.gone) return;
    const stat = this.deps.system.stat(this.pid);
    if (liveness(stat, this.identity.startTicks) === 'gone') {
      this.markGone();
      return;
    }
    if (stat?.pgrp !== this.identity.pgid) return; // left our group: never signal a group we cannot vouch for
    this.deps.system.killGroup(this.identity.pgid, signal);
  }

  /** Checks now whether the process is still there. */
  check(): void {
    if (this.gone) return;
    const stat = this.deps.system.stat(this.pid);
    if (liveness(stat, this.identity.startTicks) === 'gone') this.markGone();
  }

  private schedulePoll(): void {
    this.pollTimer = this.deps.clock.setTimer(this.deps.pollMs, () => {
      this.pollTimer = undefined;
      this.check();
      if (!this.gone) this.schedulePoll();
    });
  }

  private onReaderClosed(stillOpen: number): void {
    if (!this.gone) {
      // EOF: every writer closed its end — most likely the process exited. Look now.
      this.check();
      return;
    }
    if (stillOpen === 0) this.finish();
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.reapStragglers();
    this.output.drainAll();
    if (this.output.openCount === 0) {
      this.finish();
      return;
    }
    // Readers normally end by themselves (EOF) now; give the loop a moment to read the last
    // bytes, then close whatever is still open (a descendant outside the group could hold it).
    this.drainTimer = this.deps.clock.setTimer(this.deps.drainGraceMs, () => {
      this.drainTimer = undefined;
      this.output.destroyAll();
    });
  }

  private reapStragglers(): void {
    const { pid, pgid, startTicks } = this.identity;
    const members = this.deps.system.groupMembers(pgid);
    const live = members.filter((m) => !isDeadState(m.state));
    if (live.length === 0) return;
    const strangerLeads = members.some((m) => m.pid === pgid && !(m.pid === pid && m.startTimeTicks === startTicks));
    const olderMember = live.some((m) => m.startTimeTicks < startTicks);
    if (strangerLeads || olderMember) return; // the group number was reused: not ours to kill
    this.deps.system.killGroup(pgid, 'SIGKILL');
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.drainTimer?.cancel();
    removeRunDir(this.identity.paths);
    this.deps.onDone(this.identity.paths.dir);
    safeCall(() => this.handlers.onExit({ code: null, signal: null, unknownExit: true }));
  }
}
