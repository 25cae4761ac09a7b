/**
 * Samples each stream's ffmpeg process (CPU time, resident memory) on an interval, in the
 * background, so a scrape only reads numbers already in memory: /proc reads for 1,000 processes
 * must not sit on the `/metrics` path. Passes never overlap: the next one is scheduled when the
 * previous one has finished. Time comes from the injected Clock.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { ProcessStats, ProcessStatsReader } from '../ports/process-stats.js';

export interface SampleTarget {
  readonly pid: number;
  /** Receives the sample; not called when the process is gone. */
  accept(stats: ProcessStats): void;
}

export interface ProcessSamplerDeps {
  readonly clock: Clock;
  readonly reader: ProcessStatsReader;
  /** The processes to read now (called at the start of every pass). */
  readonly targets: () => readonly SampleTarget[];
  readonly intervalMs: number;
  /** Reads in flight at once, so a pass does not flood libuv's thread pool. Default 32. */
  readonly concurrency?: number;
  /** Told about a pass that failed (a bug: the reader itself never throws). */
  readonly onError?: (error: unknown) => void;
}

export class ProcessSampler {
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  /** The interval's current pass, until its successor is scheduled. */
  private cycle: Promise<void> | undefined;

  constructor(private readonly deps: ProcessSamplerDeps) {}

  /** Samples now, then every `intervalMs` after each pass ends. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One pass over every target; a pass already in flight is shared, not doubled. */
  sampleNow(): Promise<void> {
    this.inFlight ??= this.pass().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Resolves when no pass is in flight (and the interval's next pass is scheduled). */
  async whenIdle(): Promise<void> {
    await this.inFlight;
    await this.cycle;
  }

  private tick(): void {
    this.cycle = this.sampleNow()
      .catch((error: unknown) => this.deps.onError?.(error))
      .then(() => {
        if (this.running) this.timer = this.deps.clock.setTimer(this.deps.intervalMs, () => this.tick());
      });
  }

  private async pass(): Promise<void> {
    const targets = this.deps.targets();
    const concurrency = Math.max(1, this.deps.concurrency ?? 32);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < targets.length; i = next++) {
        const target = targets[i];
        if (!target) continue;
        const stats = await this.deps.reader.read(target.pid);
        if (stats) target.accept(stats);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  }
}
