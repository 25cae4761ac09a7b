/**
 * A health probe driven by the test's fake clock: each run takes `outcome.durationMs` of fake
 * time and answers `outcome`; it can hang (never answers by itself) and ignore its abort signal.
 * Counts runs and how many ran at once.
 */
import type { HealthProbe, ProbeResult } from '../../src/ports/health-probe.js';
import type { FakeClock } from './fake-clock.js';

export interface FakeProbeOutcome {
  readonly ok: boolean;
  readonly message?: string;
  /** Fake time a run takes. Default 0 (answers on the next timer turn). */
  readonly durationMs?: number;
  /** Never answers by itself (only an abort, unless ignored, or `release`). */
  readonly hang?: boolean;
  /** Does not honour the abort signal (a buggy probe). */
  readonly ignoreAbort?: boolean;
}

export class FakeProbe implements HealthProbe {
  outcome: FakeProbeOutcome;
  runs = 0;
  active = 0;
  maxActive = 0;
  aborted = 0;
  private readonly hung: Array<() => void> = [];

  constructor(
    private readonly clock: FakeClock,
    outcome: FakeProbeOutcome = { ok: true },
    readonly kind: string = 'fake',
  ) {
    this.outcome = outcome;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    this.runs += 1;
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    const step = this.outcome;
    const started = this.clock.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean, message: string): void => {
        if (settled) return;
        settled = true;
        this.active -= 1;
        timer?.cancel();
        resolve({ ok, message, durationMs: this.clock.now() - started });
      };
      if (step.ignoreAbort !== true) {
        signal.addEventListener(
          'abort',
          () => {
            this.aborted += 1;
            done(false, 'aborted');
          },
          { once: true },
        );
      }
      const timer = step.hang === true ? undefined : this.clock.setTimer(step.durationMs ?? 0, () => done(step.ok, step.message ?? (step.ok ? 'ok' : 'failed')));
      if (step.hang === true) this.hung.push(() => done(false, 'released'));
    });
  }

  /** Ends every hung run. */
  release(): void {
    for (const end of this.hung.splice(0)) end();
  }
}

/** Lets promise callbacks run (a macrotask turn; never a timer, never a sleep). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances the fake clock in steps, letting probe results land between steps. */
export async function advance(clock: FakeClock, ms: number, stepMs = 100): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await flush();
  }
}
