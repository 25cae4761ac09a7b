/**
 * Recovery after SIGKILL (DESIGN.md §7): the real daemon supervises a real ffmpeg publishing
 * to a real nginx-rtmp; the ffmpeg pid (from the API) is SIGKILLed and we time until nginx
 * lists the stream as published again by a NEW client (another client id). The floor is the
 * same command started bare by the bench: spawn → published. Target: recovery median within
 * 150 ms of the floor median.
 */
import type { NginxRtmp } from '../test/helpers/nginx-rtmp.js';
import { signalPid } from './lib/cleanup.js';
import { startRealDaemon, type RunningDaemon } from './lib/daemon.js';
import { REAL_FFMPEG } from './lib/paths.js';
import { formatValue, logger, type BenchResult } from './lib/report.js';
import {
  benchStreamConfig,
  daemonArgv,
  killLeftoverFfmpeg,
  measureBareStart,
  RESET_AFTER_MS,
  startBenchNginx,
  waitForPublisher,
  waitForRunning,
} from './lib/rtmp.js';
import { round, summarize } from './lib/stats.js';
import { now, sleep } from './lib/time.js';

export const ID = 'recovery-sigkill';
export const TITLE = 'Recovery after SIGKILL';

export interface SigkillOptions {
  /** Floor and daemon measurements alternate in rounds, so drifting machine load hits both alike. */
  readonly rounds: number;
  /** Bare starts, then SIGKILLs, per round. */
  readonly perRound: number;
  readonly pollMs: number;
}

export const FULL: SigkillOptions = { rounds: 3, perRound: 5, pollMs: 10 };
export const QUICK: SigkillOptions = { rounds: 1, perRound: 5, pollMs: 10 };

const TARGET_DIFF_MS = 150;

/** Starts the daemon, SIGKILLs its ffmpeg `reps` times (timing each recovery), stops the daemon. */
async function killRound(
  nginx: NginxRtmp,
  url: string,
  reps: number,
  options: SigkillOptions,
  log: (line: string) => void,
  track: (daemon: RunningDaemon | undefined) => void,
): Promise<{ recovery: number[]; failures: string[]; restarts: number }> {
  const daemon = await startRealDaemon({ ffmpegPath: REAL_FFMPEG, streams: [benchStreamConfig(url)] });
  track(daemon);
  log(`daemon pid ${daemon.pid} at ${daemon.url}`);
  let current = await waitForRunning(daemon, { timeoutMs: 30_000 });
  let publisher = (await waitForPublisher(nginx, { timeoutMs: 15_000, intervalMs: 50 })).publisher;
  const recovery: number[] = [];
  const failures: string[] = [];
  const restartsBefore = current.restarts;
  for (let rep = 0; rep < reps; rep += 1) {
    // Running for longer than resetAfter: this kill is a "first failure" (immediate restart).
    await sleep(RESET_AFTER_MS + 500);
    const killedPid = current.pid;
    const killedAt = now();
    signalPid(killedPid, 'SIGKILL');
    try {
      const again = await waitForPublisher(nginx, { exceptClientId: publisher.clientId, timeoutMs: 15_000, intervalMs: options.pollMs });
      const ms = again.at - killedAt;
      recovery.push(ms);
      publisher = again.publisher;
      log(`SIGKILL ${rep + 1}/${reps}: pid ${killedPid} → published again (client ${publisher.clientId}) after ${ms.toFixed(0)} ms`);
    } catch (error) {
      failures.push(`SIGKILL of pid ${killedPid}: ${error instanceof Error ? error.message : String(error)}`);
      log(`SIGKILL ${rep + 1}/${reps}: NOT recovered: ${failures.at(-1)}`);
      publisher = (await waitForPublisher(nginx, { timeoutMs: 60_000, intervalMs: 50 })).publisher;
    }
    current = await waitForRunning(daemon, { notPid: killedPid, timeoutMs: 30_000 });
  }
  const stopped = await daemon.stop({ timeoutMs: 30_000 });
  if (!stopped.clean) log(`daemon did not stop within 30 s after SIGTERM; killed (log kept in ${daemon.dir})`);
  track(undefined);
  return { recovery, failures, restarts: current.restarts - restartsBefore };
}

export async function run(options: SigkillOptions): Promise<BenchResult> {
  const log = logger(ID);
  const startedAt = now();
  const nginx = await startBenchNginx();
  let daemon: RunningDaemon | undefined;
  const url = nginx.rtmpUrl('live', 'bench');
  try {
    const argv = await daemonArgv(url);
    log(`floor: ${REAL_FFMPEG} ${argv.join(' ')}`);
    const floor: number[] = [];
    const recovery: number[] = [];
    const failures: string[] = [];
    let restarts = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      log(`round ${round + 1}/${options.rounds}`);
      floor.push(...(await measureBareStart(nginx, argv, { reps: options.perRound, warmup: round === 0 ? 1 : 0, intervalMs: options.pollMs, log })));
      const result = await killRound(nginx, url, options.perRound, options, log, (d) => {
        daemon = d;
      });
      recovery.push(...result.recovery);
      failures.push(...result.failures);
      restarts += result.restarts;
    }
    if (recovery.length === 0) throw new Error(`no recovery measured:\n${failures.join('\n')}`);

    const f = summarize(floor);
    const r = summarize(recovery);
    const diff = r.median - f.median;
    return {
      id: ID,
      title: TITLE,
      ok: true,
      durationMs: now() - startedAt,
      parameters: {
        command: `${REAL_FFMPEG} ${argv.join(' ').replace(url, 'rtmp://127.0.0.1:PORT/live/bench')}`,
        'SIGKILL repetitions': options.rounds * options.perRound,
        'floor repetitions (after 1 warm-up)': options.rounds * options.perRound,
        rounds: `${options.rounds} × (${options.perRound} bare starts, then the daemon started and ${options.perRound} SIGKILLs)`,
        '/stat poll interval': `${options.pollMs} ms`,
        'restart policy': `defaults, but resetAfter ${RESET_AFTER_MS} ms and a budget of 1000 restarts/min; ${RESET_AFTER_MS + 500} ms running between kills`,
        'nginx drop_idle_publisher': '60s',
      },
      figures: [
        { label: 'floor (bare spawn → published) median', value: f.median, unit: 'ms' },
        { label: 'floor p90', value: f.p90, unit: 'ms' },
        { label: 'recovery (SIGKILL → published again) median', value: r.median, unit: 'ms' },
        { label: 'recovery p90', value: r.p90, unit: 'ms' },
        { label: 'recovery min', value: r.min, unit: 'ms' },
        { label: 'recovery max', value: r.max, unit: 'ms' },
        { label: 'recovery − floor (medians)', value: diff, unit: 'ms' },
        { label: 'restarts counted by the daemon', value: restarts, unit: '' },
        { label: 'repetitions not recovered within 15 s', value: failures.length, unit: '' },
      ],
      targets: [
        {
          target: `recovery median within ${TARGET_DIFF_MS} ms of the floor median`,
          measured: `${formatValue(r.median, 'ms')} vs ${formatValue(f.median, 'ms')} (${diff >= 0 ? '+' : ''}${formatValue(diff, 'ms')})`,
          met: diff <= TARGET_DIFF_MS && failures.length === 0,
        },
      ],
      notes: [
        'The new publisher is told from the killed one by its nginx-rtmp client id.',
        'Floor and recovery alternate in rounds, so a change in machine load during the run affects both.',
        'Both figures include the same /stat polling granularity, so it cancels in the difference.',
        ...failures,
      ],
      samples: { floorMs: floor.map((v) => round(v, 1)), recoveryMs: recovery.map((v) => round(v, 1)) },
    };
  } finally {
    await teardown(nginx, daemon, url, log);
  }
}

export async function teardown(nginx: NginxRtmp, daemon: RunningDaemon | undefined, url: string, log: (line: string) => void): Promise<void> {
  if (daemon !== undefined) {
    const stopped = await daemon.stop({ timeoutMs: 30_000 });
    if (!stopped.clean) log(`daemon did not stop within 30 s after SIGTERM; killed (log kept in ${daemon.dir})`);
  }
  const leftovers = killLeftoverFfmpeg(url);
  if (leftovers > 0) log(`killed ${leftovers} leftover ffmpeg process(es) publishing to ${url}`);
  await nginx.stop();
}
