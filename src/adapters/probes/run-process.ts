/**
 * Runs a short-lived helper process (ffprobe, an ffmpeg analysis) for a probe.
 *
 * Contracts:
 * - argv only, never a shell; the child is spawned `detached`, i.e. as the leader of its own
 *   process group, and every kill goes to the whole group (`kill(-pid)`);
 * - at `timeoutMs`, or when `signal` aborts, the group gets SIGKILL; after the leader exits the
 *   group gets SIGKILL too, so nothing it started survives;
 * - the promise always resolves (never rejects), once the child is gone and its pipes are
 *   closed — or, should a descendant that escaped the group hold them open, a short grace
 *   after the leader's exit;
 * - output is bounded: stdout up to `maxStdoutBytes`, the tail of stderr, stderr lines cut at
 *   8 KiB;
 * - a last-resort `process.on('exit')` handler SIGKILLs every group still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { errnoCode } from '../error-details.js';

export interface RunProcessRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Stdout beyond this is dropped (`stdoutTruncated`). Default 4 MiB. */
  readonly maxStdoutBytes?: number;
  /** Only the last this many characters of stderr are kept. Default 64 KiB. */
  readonly maxStderrChars?: number;
  /** Each complete stderr line as it arrives (and the unterminated last one at the end). */
  readonly onStderrLine?: (line: string) => void;
}

export type RunOutcome = 'exited' | 'timed-out' | 'aborted' | 'spawn-failed';

export interface RunProcessResult {
  readonly outcome: RunOutcome;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stdoutTruncated: boolean;
  /** The tail of stderr. */
  readonly stderr: string;
  /** errno code when the binary could not be started (ENOENT, EACCES). */
  readonly spawnError?: string;
}

const DEFAULT_MAX_STDOUT = 4 * 1024 * 1024;
const DEFAULT_MAX_STDERR = 64 * 1024;
const MAX_LINE = 8 * 1024;
/** After the leader exited and the group was killed, how long to wait for the pipes. */
const PIPE_GRACE_MS = 2_000;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already; EPERM cannot happen for our own children.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
    liveGroups.clear();
  });
}

/** Process-group ids of probe children still running (diagnostics and tests). */
export function liveProbeGroups(): number[] {
  return [...liveGroups];
}

/** The errno of a failed spawn (ESPAWN when it has none). */
function spawnErrorCode(error: unknown): string {
  return errnoCode(error) ?? 'ESPAWN';
}

export function runProcess(request: RunProcessRequest): Promise<RunProcessResult> {
  const maxStdout = request.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  const maxStderr = request.maxStderrChars ?? DEFAULT_MAX_STDERR;

  return new Promise<RunProcessResult>((resolve) => {
    if (request.signal?.aborted === true) {
      resolve({ outcome: 'aborted', pid: undefined, code: null, signal: null, stdout: '', stdoutTruncated: false, stderr: '' });
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(request.command, [...request.args], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      resolve(spawnFailed(spawnErrorCode(error)));
      return;
    }

    const pid = child.pid;
    let outcome: RunOutcome = 'exited';
    let settled = false;
    let stdoutBytes = 0;
    let stdoutTruncated = false;
    const stdoutChunks: Buffer[] = [];
    let stderrTail = '';
    let partialLine = '';
    const decoder = new StringDecoder('utf8');
    let graceTimer: NodeJS.Timeout | undefined;

    if (pid !== undefined) {
      installExitHook();
      liveGroups.add(pid);
    }

    const emitLine = (line: string): void => {
      if (request.onStderrLine === undefined) return;
      try {
        request.onStderrLine(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line);
      } catch {
        // a parser bug must not leave the child running
      }
    };
    const onStderrText = (text: string): void => {
      stderrTail = (stderrTail + text).slice(-maxStderr);
      if (request.onStderrLine === undefined) return;
      const lines = (partialLine + text).split(/\r\n|\r|\n/);
      partialLine = lines.pop() ?? '';
      if (partialLine.length > MAX_LINE) partialLine = partialLine.slice(0, MAX_LINE);
      for (const line of lines) emitLine(line);
    };

    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutTruncated) return;
      if (stdoutBytes + chunk.byteLength > maxStdout) {
        stdoutTruncated = true;
        stdoutChunks.push(chunk.subarray(0, maxStdout - stdoutBytes));
        stdoutBytes = maxStdout;
        return;
      }
      stdoutBytes += chunk.byteLength;
      stdoutChunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => onStderrText(decoder.write(chunk)));
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);

    const stop = (why: RunOutcome): void => {
      if (settled || pid === undefined) return;
      if (outcome === 'exited') outcome = why;
      killGroup(pid);
      armGrace();
    };
    const timer = setTimeout(() => stop('timed-out'), request.timeoutMs);
    const onAbort = (): void => stop('aborted');
    request.signal?.addEventListener('abort', onAbort, { once: true });

    function armGrace(): void {
      graceTimer ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(child.exitCode, child.signalCode);
      }, PIPE_GRACE_MS);
    }

    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      request.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        killGroup(pid);
        liveGroups.delete(pid);
      }
      onStderrText(decoder.end());
      if (partialLine !== '') emitLine(partialLine);
      partialLine = '';
      resolve({
        outcome,
        pid,
        code,
        signal,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stdoutTruncated,
        stderr: stderrTail,
      });
    }

    child.once('error', (error) => {
      if (pid !== undefined) return; // a later, non-fatal error of a started child
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(spawnFailed(spawnErrorCode(error)));
    });
    child.once('exit', () => {
      // The leader is gone: kill whatever it left in its group, then wait for the pipes.
      if (pid !== undefined) killGroup(pid);
      armGrace();
    });
    child.once('close', (code, signal) => {
      if (pid === undefined) return;
      finish(code, signal);
    });
  });
}

function spawnFailed(code: string): RunProcessResult {
  return {
    outcome: 'spawn-failed',
    pid: undefined,
    code: null,
    signal: null,
    stdout: '',
    stdoutTruncated: false,
    stderr: '',
    spawnError: code,
  };
}
