/**
 * Stall detection while the engine pool is polled (issue 7): N real ffmpeg streams (tiny lavfi
 * encodes) supervised in THIS process — the one event loop that also polls the engines, as in the
 * daemon — and one of them frozen with SIGSTOP. We time from the SIGSTOP to the supervisor's
 * `run-finished` with reason `stalled`, once with the pool idle and once while polling rounds run
 * back to back (harsher than the 30 s interval: the stall deadline always falls inside a round).
 * The detection can only be as late as the last progress block before the SIGSTOP allows: it lies
 * in [stall timeout − stats period, stall timeout] when nothing delays it.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { NodeProcessRunner } from '../../src/adapters/ffmpeg/node-process-runner.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { EnginePoller } from '../../src/engines/engine-poller.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type StreamSpec } from '../../src/domain/stream-spec.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { sleep } from './time.js';

export interface StallOptions {
  readonly ffmpegPath: string;
  readonly streams: number;
  readonly stallTimeoutMs: number;
  readonly reps: number;
}

export interface StallResult {
  /** SIGSTOP → stalled, per rep, in ms. */
  readonly detectionMs: readonly number[];
}

function spec(id: string, stallTimeoutMs: number): StreamSpec {
  return {
    id,
    name: id,
    desired: 'running',
    source: { kind: 'args', args: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=5', '-f', 'null', '-'] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs,
    checks: [],
    onUnhealthy: ['restart'],
    notify: [],
  };
}

/** Runs `reps` SIGSTOPs against the streams in turn; `duringStall` runs while each stall is pending. */
export async function measureStallDetection(options: StallOptions, poller: EnginePoller | undefined, log: (line: string) => void): Promise<StallResult> {
  const capabilities = await detectCapabilities(options.ffmpegPath);
  const supervisor = new Supervisor(
    Array.from({ length: options.streams }, (_, i) => spec(`s${i}`, options.stallTimeoutMs)),
    {
      clock: systemClock,
      runner: new NodeProcessRunner(),
      ffmpeg: { path: options.ffmpegPath, capabilities },
      logger: silentLogger,
      redact: (text) => text,
      random: () => randomInt(0, 1_000_000) / 1_000_000,
    },
  );
  const detection: number[] = [];
  let polling = true;
  const rounds = (async () => {
    // Rounds back to back while the stalls are measured.
    while (poller && polling) await poller.runRound();
  })();
  try {
    supervisor.startDesired();
    const running = async (id: string, notPid?: number): Promise<number> => {
      const deadline = performance.now() + 60_000;
      for (;;) {
        const status = supervisor.get(id).status();
        if (status.state === 'running' && status.pid !== undefined && status.pid !== notPid) return status.pid;
        if (performance.now() > deadline) throw new Error(`${id} did not run within 60 s (${status.state}, ${status.lastError ?? ''})`);
        await sleep(50);
      }
    };
    for (let i = 0; i < options.streams; i++) await running(`s${i}`);
    for (let rep = 0; rep < options.reps; rep++) {
      const id = `s${rep % options.streams}`;
      const pid = await running(id);
      await sleep(1_500); // mid-run, well after the last start
      const stalled = new Promise<number>((resolve) => {
        const off = supervisor.events.on('run-finished', (e) => {
          if (e.streamId !== id || e.pid !== pid) return;
          off();
          resolve(performance.now());
        });
      });
      const stoppedAt = performance.now();
      process.kill(pid, 'SIGSTOP');
      const ms = (await stalled) - stoppedAt;
      detection.push(ms);
      log(`stall ${rep + 1}/${options.reps} (${id}, pid ${pid}): detected after ${ms.toFixed(0)} ms${poller ? ` (round in progress: ${poller.stats.inFlight} polls in flight)` : ''}`);
      await running(id, pid);
    }
    return { detectionMs: detection };
  } finally {
    polling = false;
    await rounds;
    await supervisor.stopAll();
  }
}
