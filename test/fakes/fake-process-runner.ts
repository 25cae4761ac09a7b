/** A process runner whose processes are driven by the test: progress, stderr, exit, signals. */
import type {
  ChildProcessHandle,
  GroupSignal,
  ProcessExit,
  ProcessHandlers,
  ProcessRunner,
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
  ) {}

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

export class FakeProcessRunner implements ProcessRunner {
  readonly spawned: FakeProcess[] = [];
  private nextPid = 1000;
  /** While set, every spawn fails as if the binary were missing (reported asynchronously, like node). */
  failSpawns = false;

  spawn(request: SpawnRequest, handlers: ProcessHandlers): ChildProcessHandle {
    if (this.failSpawns) {
      const proc = new FakeProcess(undefined, request, handlers);
      this.spawned.push(proc);
      queueMicrotask(() => proc.exit({ code: null, signal: null, spawnError: { code: 'ENOENT', message: `spawn ${request.command} ENOENT` } }));
      return proc;
    }
    const proc = new FakeProcess(this.nextPid++, request, handlers);
    this.spawned.push(proc);
    return proc;
  }

  get last(): FakeProcess {
    const proc = this.spawned.at(-1);
    if (!proc) throw new Error('nothing was spawned');
    return proc;
  }
}
