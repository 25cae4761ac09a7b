/**
 * ProcessRunner on node:child_process.
 *
 * Contracts (see ports/process-runner.ts):
 * - argv only, never a shell; the child is spawned `detached`, i.e. as the leader of its own
 *   session and process group, so a signal to `-pid` reaches everything it started;
 * - stdin and stdout are closed ('ignore'); stderr is piped; fd 3 is piped when
 *   `progressPipe` is set (ffmpeg `-progress pipe:3`);
 * - both streams are decoded as UTF-8 with a StringDecoder, so a multibyte character split
 *   across two chunks arrives intact;
 * - `onExit` fires exactly once, after both streams ended and the child's 'close' event, or
 *   once with `spawnError` (and `pid` undefined) when the binary could not be started — spawn
 *   itself never throws;
 * - when the leader exits, the whole group gets one SIGKILL so nothing it left behind survives
 *   (and holds our pipes open);
 * - every live group is in a module-level registry so a last-resort `process.on('exit')`
 *   handler can SIGKILL them all synchronously (`killAllGroupsSync`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type {
  ChildProcessHandle,
  GroupSignal,
  ProcessExit,
  ProcessHandlers,
  ProcessRunner,
  SpawnRequest,
} from '../../ports/process-runner.js';
import { errnoCode, errorMessage } from '../error-details.js';

/** Process-group ids (= leader pids) of every child that may still have live members. */
const liveGroups = new Set<number>();

/**
 * SIGKILLs every process group this module started and has not yet reaped. Synchronous, so it
 * is safe in a `process.on('exit')` handler. Returns the number of groups signalled.
 */
export function killAllGroupsSync(): number {
  let signalled = 0;
  for (const pgid of liveGroups) {
    if (killGroup(pgid, 'SIGKILL')) signalled += 1;
  }
  liveGroups.clear();
  return signalled;
}

/** Process-group ids currently tracked as live (for diagnostics and tests). */
export function liveGroupIds(): number[] {
  return [...liveGroups];
}

/** Sends `signal` to process group `pgid`; true if delivered, false if the group is gone. */
function killGroup(pgid: number, signal: GroupSignal): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    // EPERM and friends: nothing sensible to do from a signal path; never throw from here.
    return false;
  }
}

/** A listener that throws must not take down the daemon or lose the exit notification. */
function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.emitWarning(`process runner handler threw: ${errorMessage(error)}`, 'StreamwardenWarning');
  }
}

export interface NodeProcessRunnerOptions {
  /**
   * After the leader exited and its group was SIGKILLed, how long to wait for the pipes to
   * close before destroying them (a descendant that escaped the group with setsid could hold
   * them open forever). Default 2000 ms.
   */
  pipeCloseGraceMs?: number;
}

export class NodeProcessRunner implements ProcessRunner {
  private readonly pipeCloseGraceMs: number;

  constructor(options: NodeProcessRunnerOptions = {}) {
    this.pipeCloseGraceMs = options.pipeCloseGraceMs ?? 2000;
  }

  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle {
    let child: ChildProcess;
    try {
      child = spawn(request.command, [...request.args], {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe', request.progressPipe ? 'pipe' : 'ignore'],
        // `env` adds to (and overrides) the daemon's environment rather than replacing it.
        env: request.env === undefined ? process.env : { ...process.env, ...request.env },
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
        windowsHide: true,
      });
    } catch (error) {
      // Node throws synchronously for some failures (bad arguments, unusual errno values).
      const spawnError = { code: errnoCode(error) ?? 'ESPAWN', message: errorMessage(error) };
      queueMicrotask(() => safeCall(() => handlers.onExit({ code: null, signal: null, spawnError })));
      return { pid: undefined, signalGroup: () => undefined };
    }
    return new RunningChild(child, request.progressPipe, handlers, this.pipeCloseGraceMs);
  }
}

class RunningChild implements ChildProcessHandle {
  readonly pid: number | undefined;
  /** True from a successful spawn until the leader exited and the group was reaped. */
  private groupLive = false;
  private finished = false;
  private openStreams = 0;
  private closeResult: { code: number | null; signal: string | null } | undefined;
  private readonly streams: Readable[] = [];
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    child: ChildProcess,
    progressPipe: boolean,
    private readonly handlers: ProcessHandlers,
    private readonly pipeCloseGraceMs: number,
  ) {
    this.pid = child.pid;
    if (this.pid !== undefined) {
      this.groupLive = true;
      liveGroups.add(this.pid);
    }

    this.attach(child.stderr, (text) => handlers.onStderr(text));
    if (progressPipe) {
      const fd3 = child.stdio[3];
      if (isReadable(fd3)) this.attach(fd3, (text) => handlers.onProgress(text));
    }

    child.once('error', (error) => {
      // With a pid the process did start: this is a later, non-fatal error (e.g. a failed
      // child.kill, which we never call). Without one, spawning failed: report it now.
      if (child.pid !== undefined) return;
      this.finish({
        code: null,
        signal: null,
        spawnError: { code: errnoCode(error) ?? 'ESPAWN', message: error.message },
      });
    });

    child.once('exit', () => {
      // The leader is gone. Kill whatever it left in its group: descendants would keep our
      // pipes open (delaying 'close' forever) and would be orphans streaming nowhere.
      this.reapGroup();
      if (this.openStreams > 0) {
        this.graceTimer = setTimeout(() => {
          for (const stream of this.streams) stream.destroy();
        }, this.pipeCloseGraceMs);
      }
    });

    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (child.pid === undefined) return; // spawn failure, reported through 'error'
      this.reapGroup(); // in case 'exit' was never emitted
      this.closeResult = { code, signal };
      this.maybeFinish();
    });
  }

  signalGroup(signal: GroupSignal): void {
    if (!this.groupLive || this.pid === undefined) return;
    killGroup(this.pid, signal);
  }

  private attach(stream: Readable | null, deliver: (text: string) => void): void {
    if (stream === null) return;
    this.openStreams += 1;
    this.streams.push(stream);
    const decoder = new StringDecoder('utf8');
    let done = false;
    stream.on('data', (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      if (text.length > 0) safeCall(() => deliver(text));
    });
    stream.on('error', () => {
      // A broken pipe is not an exit; 'close' follows and completes the stream.
    });
    stream.once('close', () => {
      if (done) return;
      done = true;
      const rest = decoder.end();
      if (rest.length > 0) safeCall(() => deliver(rest));
      this.openStreams -= 1;
      this.maybeFinish();
    });
  }

  private reapGroup(): void {
    if (!this.groupLive || this.pid === undefined) return;
    killGroup(this.pid, 'SIGKILL');
    this.groupLive = false;
    liveGroups.delete(this.pid);
  }

  private maybeFinish(): void {
    if (this.closeResult === undefined || this.openStreams > 0) return;
    this.finish(this.closeResult);
  }

  private finish(exit: ProcessExit): void {
    if (this.finished) return;
    this.finished = true;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    if (this.pid !== undefined) {
      this.groupLive = false;
      liveGroups.delete(this.pid);
    }
    safeCall(() => this.handlers.onExit(exit));
  }
}

function isReadable(value: unknown): value is Readable {
  return (
    typeof value === 'object' &&
    value !== null &&
    'on' in value &&
    typeof value.on === 'function' &&
    'read' in value
  );
}
