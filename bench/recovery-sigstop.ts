/**
 * Recovery after SIGSTOP (DESIGN.md §7): a frozen ffmpeg keeps its RTMP connection open and
 * writes nothing, so only the daemon's stall detection (no advancing progress for
 * `stallTimeout`, default 10 s) can end it. We SIGSTOP the ffmpeg pid (from the API) and time
 * until nginx lists the stream as published by a NEW client. Target: median within 2 s of the
 * stall timeout.
 */
import { DEFAULT_STALL_TIMEOUT_MS } from '../src/domain/stream-spec.js';
import { signalPid } from './lib/cleanup.js';
import { startRealDaemon, type RunningDaemon } from './lib/daemon.js';
import { alive } from './lib/proc.js';
import { REAL_FFMPEG } from './lib/paths.js';
import { formatValue, logger, type BenchResult } from './lib/report.js';
import { benchStreamConfig, RESET_AFTER_MS, startBenchNginx, waitForPublisher, waitForRunning } from './lib/rtmp.js';
import { round, summarize } from './lib/stats.js';
import { now, pollUntil, sleep } from './lib/time.js';
import { teardown } from './recovery-sigkill.js';

export const ID = 'recovery-sigstop';
export const TITLE = 'Recovery after SIGSTOP (stall)';

export interface SigstopOptions {
  readonly reps: number;
  readonly pollMs: number;
}

export const FULL: SigstopOptions = { reps: 5, pollMs: 20 };
export const QUICK: SigstopOptions = { reps: 2, pollMs: 20 };

const TARGET_MARGIN_MS = 2_000;

export async function run(options: SigstopOptions): Promise<BenchResult> {
  const log = logger(ID);
  const startedAt = now();
  const stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS; // the configuration below leaves it at its default
  const nginx = await startBenchNginx();
  let daemon: RunningDaemon | undefined;
  const url = nginx.rtmpUrl('live', 'bench');
  try {
    daemon = await startRealDaemon({ ffmpegPath: REAL_FFMPEG, streams: [benchStreamConfig(url)] });
    log(`daemon pid ${daemon.pid} at ${daemon.url}; stall timeout ${stallTimeoutMs} ms (default)`);
    let current = await waitForRunning(daemon, { timeoutMs: 30_000 });
    let publisher = (await waitForPublisher(nginx, { timeoutMs: 15_000, intervalMs: 50 })).publisher;

    const recovery: number[] = [];
    const killedAfter: number[] = [];
    const failures: string[] = [];
    const timeoutMs = stallTimeoutMs + 15_000;
    for (let rep = 0; rep < options.reps; rep += 1) {
      await sleep(RESET_AFTER_MS + 500);
      const stoppedPid = current.pid;
      const stoppedAt = now();
      signalPid(stoppedPid, 'SIGSTOP');
      // When the frozen process is gone (the daemon's SIGKILL), for information.
      const gone = pollUntil(() => (alive(stoppedPid) ? undefined : true), { timeoutMs, intervalMs: options.pollMs, description: `pid ${stoppedPid} to exit` });
      gone.catch(() => undefined);
      try {
        const again = await waitForPublisher(nginx, { exceptClientId: publisher.clientId, timeoutMs, intervalMs: options.pollMs });
        const ms = again.at - stoppedAt;
        recovery.push(ms);
        publisher = again.publisher;
        const goneAt = await gone.then((g) => g.at, () => Number.NaN);
        if (Number.isFinite(goneAt)) killedAfter.push(goneAt - stoppedAt);
        log(`SIGSTOP ${rep + 1}/${options.reps}: pid ${stoppedPid} killed after ${(goneAt - stoppedAt).toFixed(0)} ms, published again after ${ms.toFixed(0)} ms`);
      } catch (error) {
        failures.push(`rep ${rep + 1}: ${error instanceof Error ? error.message : String(error)}`);
        log(`SIGSTOP ${rep + 1}/${options.reps}: NOT recovered: ${failures.at(-1)}`);
        signalPid(stoppedPid, 'SIGKILL'); // do not leave a frozen process behind
        publisher = (await waitForPublisher(nginx, { timeoutMs: 60_000, intervalMs: 50 })).publisher;
      }
      current = await waitForRunning(daemon, { notPid: stoppedPid, timeoutMs: 30_000 });
    }
    if (recovery.length === 0) throw new Error(`no recovery measured:\n${failures.join('\n')}`);

    const r = summarize(recovery);
    const k = summarize(killedAfter);
    const over = r.median - stallTimeoutMs;
    return {
      id: ID,
      title: TITLE,
      ok: true,
      durationMs: now() - startedAt,
      parameters: {
        command: `${REAL_FFMPEG} (the daemon's argv for the same encoder as recovery-sigkill)`,
        'SIGSTOP repetitions': options.reps,
        'stall timeout': `${stallTimeoutMs} ms (default)`,
        '/stat poll interval': `${options.pollMs} ms`,
        'nginx drop_idle_publisher': '60s (nginx never drops the frozen publisher first)',
      },
      figures: [
        { label: 'recovery (SIGSTOP → published again) median', value: r.median, unit: 'ms' },
        { label: 'recovery p90', value: r.p90, unit: 'ms' },
        { label: 'recovery min', value: r.min, unit: 'ms' },
        { label: 'recovery max', value: r.max, unit: 'ms' },
        { label: 'SIGSTOP → frozen process killed, median', value: k.median, unit: 'ms' },
        { label: 'recovery median − stall timeout', value: over, unit: 'ms' },
        { label: 'repetitions not recovered', value: failures.length, unit: '' },
      ],
      targets: [
        {
          target: `recovery median within ${TARGET_MARGIN_MS / 1000} s of the stall timeout (${stallTimeoutMs / 1000} s)`,
          measured: `${formatValue(r.median, 'ms')} (${over >= 0 ? '+' : ''}${formatValue(over, 'ms')})`,
          met: Math.abs(over) <= TARGET_MARGIN_MS && failures.length === 0,
        },
      ],
      notes: [
        'The stall timer restarts at each advancing progress block (one per second), so a SIGSTOP lands 0–1 s after the last one: recovery can be up to 1 s shorter than the stall timeout.',
        ...failures,
      ],
      samples: { recoveryMs: recovery.map((v) => round(v, 1)), killedAfterMs: killedAfter.map((v) => round(v, 1)) },
    };
  } finally {
    await teardown(nginx, daemon, url, log);
  }
}
