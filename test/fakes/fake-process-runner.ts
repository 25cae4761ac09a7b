/** A process runner whose processes are driven by the test: progress, stderr, exit, signals. */
import type {
  AdoptRefusalReason,
  AdoptRequest,
  AdoptResult,
  ChildProcessHandle,
  GroupSignal,
  ProcessExit,
  ProcessHandlers,
  ProcessRunner,
  RuntimeIdentity,
  SpawnRequest,
} from '../../src/ports/process-runner.js';

export class FakeProcess implements ChildProcessHandle {
  readonly signals: GroupSignal[] = [];
  private exited = false;
  private frame = 0;
  private size = 0;

  constructor(
    readonly pid: number | undefined,
    readonly request: SpawnRequest,
    private readonly handlers: ProcessHandlers,
    /** What `describe` returns (set by runners that register runs). */
    readonly identity?: RuntimeIdentity,
  ) {}

  describe(): RuntimeIdentity | undefined {
    return this.identity;
  }

  /** Writes raw text to the progress pipe (e.g. the middle of a block, as after an adopt). */
  rawProgress(text: string): void {
    this.handlers.onProgress(text);
  }

  signalGroup(signal: GroupSignal): void {
    this.signals.push(signal);
  }

  /**
   * Writes one progress block whose counters advance by `frames` (0 = a block that does not
   * advance) and `bytes` (default 5,000 per frame: 1 Mb/s at 25 frames a second).
   */
  progress(frames = 25, bytes = frames * 5_000): void {
    this.frame += frames;
    this.size += bytes;
    const outTimeUs = this.frame * 40_000;
    this.handlers.onProgress(
      `frame=${this.frame}\nfps=25.0\nbitrate=1000.0kbits/s\ntotal_size=${this.size}\nout_time_us=${outTimeUs}\nout_time_ms=${outTimeUs}\nspeed=1x\nprogress=continue\n`,
    );
  }

  stderr(text: string): void {
    this.handlers.onStderr(text);
  }

  exit(exit: ProcessExit): void {
    if (this.exited) throw new Error('fake process exited twice');
    this.exited = true;
    this.handlers.onExit(exit);
  }

  get alive(): boolean {
    return !this.exited;
  }
}

/** How the fake runner answers an adopt request; decided by the test. */
export type FakeAdoptVerdict =
  | { readonly adopted: true; readonly missingPipes?: readonly ('progress' | 'stderr')[] }
  | { readonly adopted: false; readonly reason: AdoptRefusalReason; readonly detail?: string };

export class FakeProcessRunner implements ProcessRunner {
  readonly spawned: FakeProcess[] = [];
  /** Processes re-attached through `adopt`, in order. */
  readonly adopted: FakeProcess[] = [];
  /** Every adopt request received, adopted or not. */
  readonly adoptRequests: AdoptRequest[] = [];
  private nextPid = 1000;
  /** While set, every spawn fails as if the binary were missing (reported asynchronously, like node). */
  failSpawns = false;
  /** While set, spawned handles `describe` themselves (pid, pgid = pid, fake boot id and paths). */
  describeRuns = false;
  /** Decides each adopt request; default: adopt it. */
  adoptVerdict: (request: AdoptRequest) => FakeAdoptVerdict = () => ({ adopted: true });

  adopt(request: AdoptRequest, handlers: ProcessHandlers): AdoptResult {
    this.adoptRequests.push(request);
    const verdict = this.adoptVerdict(request);
    if (!verdict.adopted) return { adopted: false, reason: verdict.reason, detail: verdict.detail ?? verdict.reason };
    const identity: RuntimeIdentity = {
      pid: request.pid,
      pgid: request.pgid,
      startTicks: request.startTicks,
      bootId: request.bootId,
      cmdlineHash: request.cmdlineHash ?? '',
      paths: request.paths,
    };
    const proc = new FakeProcess(request.pid, { command: '(adopted)', args: [], progressPipe: true }, handlers, identity);
    this.adopted.push(proc);
    return { adopted: true, handle: proc, missingPipes: verdict.missingPipes ?? [] };
  }

  private identityFor(pid: number): RuntimeIdentity {
    const dir = `/run/streamwarden/run-${pid}`;
    return {
      pid,
      pgid: pid,
      startTicks: pid * 10,
      bootId: 'fake-boot',
      cmdlineHash: `cmdline-${pid}`,
      paths: { dir, progressPipe: `${dir}/progress`, stderrPipe: `${dir}/stderr` },
    };
  }

  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle {
    if (this.failSpawns) {
      const proc = new FakeProcess(undefined, request, handlers);
      this.spawned.push(proc);
      queueMicrotask(() => proc.exit({ code: null, signal: null, spawnError: { code: 'ENOENT', message: `spawn ${request.command} ENOENT` } }));
      return proc;
    }
    const pid = this.nextPid++;
    const proc = new FakeProcess(pid, request, handlers, this.describeRuns ? this.identityFor(pid) : undefined);
    this.spawned.push(proc);
    return proc;
  }

  get last(): FakeProcess {
    const proc = this.spawned.at(-1);
    if (!proc) throw new Error('nothing was spawned');
    return proc;
  }
}
