/**
 * Engine polling at scale (DESIGN.md §7, issue 7): N Acestream-kind engines, 10 % of them hanging
 * until the timeout, polled every 30 s with a 5 s timeout through the real EngineRegistry,
 * EnginePoller and AcestreamClient on the system clock.
 *
 * The fake engines live in a child process (bench/fake-engines.c, one epoll loop with two ports on
 * 127.0.0.1: one answers get_status at once, one never answers), so the figures measured here —
 * round time, the event loop delay (perf_hooks.monitorEventLoopDelay), CPU and memory — are the
 * poller's alone. In production the engines run elsewhere; a node:http fake would take about as
 * much CPU as the poller, from the same small box.
 *
 * Targets: every round completes within 6 s; event-loop delay p99 < 50 ms. Then the second
 * scenario (bench/lib/stall-under-polling.ts): supervised ffmpeg streams in the same process,
 * one frozen with SIGSTOP, stall detection timed with the pool idle and while it is polled.
 *
 *   npx tsx bench/engine-polling.ts                     full: 10,000 engines, 4 rounds of 30 s, 5 stalls
 *   npx tsx bench/engine-polling.ts 500 2 10000 0       500 engines, 2 rounds, 10 s interval, no stalls
 *   import { run, FULL, QUICK } from './engine-polling.js'   from bench/run.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createEngineClient } from '../src/adapters/engines/create-engine-client.js';
import { systemClock } from '../src/adapters/system-clock.js';
import { EnginePoller, type RoundStats } from '../src/engines/engine-poller.js';
import { EngineRegistry } from '../src/engines/engine-registry.js';
import { compileFakeEngines } from './lib/build.js';
import { REAL_FFMPEG } from './lib/paths.js';
import type { BenchResult } from './lib/report.js';
import { measureBareGets, type BareGetsResult } from './lib/bare-gets.js';
import { measureStallDetection, type StallResult } from './lib/stall-under-polling.js';
import { percentile, round } from './lib/stats.js';

export const ID = 'engine-polling';
export const TITLE = 'Engine polling: 10,000 engines, 10 % hanging';

export interface EnginePollingOptions {
  readonly engines: number;
  readonly hangingRatio: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rounds: number;
  readonly maxInFlight: number;
  readonly targetRoundMs: number;
  readonly targetLoopDelayP99Ms: number;
  /** Second scenario: supervised ffmpeg streams, one frozen (SIGSTOP) per rep; 0 reps = skipped. */
  readonly streams: number;
  readonly stallTimeoutMs: number;
  readonly stallReps: number;
}

// maxInFlight: above the 1,000 engines that hang (each holds a slot for the whole timeout) with
// room for the others; 2,000 sockets here and as many in the fake engines, under `ulimit -n`.
const BASE = {
  hangingRatio: 0.1,
  intervalMs: 30_000,
  timeoutMs: 5_000,
  maxInFlight: 2_000,
  targetRoundMs: 6_000,
  targetLoopDelayP99Ms: 50,
  streams: 10,
  stallTimeoutMs: 5_000,
} as const;
export const FULL: EnginePollingOptions = { ...BASE, engines: 10_000, rounds: 4, stallReps: 5 };
export const QUICK: EnginePollingOptions = { ...BASE, engines: 10_000, rounds: 3, stallReps: 3 };

export interface EnginePollingResult {
  readonly roundsMs: readonly number[];
  readonly maxRoundMs: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Process CPU time over wall time, in % of one core, from the first round's start to the last round's end. */
  readonly cpuPercent: number;
  readonly maxRssMiB: number;
  readonly maxHeapMiB: number;
  /** CPU time used from one round's start to the next (the whole interval, idle part included), per round. */
  readonly cpuMsPerRound: readonly number[];
  /** RSS when each round ended. */
  readonly rssMiBPerRound: readonly number[];
  readonly lastRound: RoundStats;
  readonly healthy: number;
  readonly unhealthy: number;
}

let fakeEnginesBinary: string | undefined;

async function startFakeEngines(): Promise<{ child: ChildProcess; healthy: number; hang: number }> {
  fakeEnginesBinary ??= compileFakeEngines();
  const child = spawn(fakeEnginesBinary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake engines exited with ${code}`)));
  });
  const ports = JSON.parse(first) as { healthy: number; hang: number };
  return { child, ...ports };
}

interface Pool {
  readonly registry: EngineRegistry;
  readonly poller: EnginePoller;
  close(): Promise<void>;
}

/** N engines on the two fake servers (every 1/hangingRatio-th one hangs), and their poller (not started). */
async function createPool(options: EnginePollingOptions): Promise<Pool> {
  const fake = await startFakeEngines();
  const registry = new EngineRegistry({ clock: systemClock, health: { graceMs: 0, failureThreshold: 1 } });
  const everyHung = Math.round(1 / options.hangingRatio);
  for (let i = 0; i < options.engines; i++) {
    const hung = i % everyHung === 0;
    registry.add({ id: `engine-${String(i).padStart(5, '0')}`, host: '127.0.0.1', port: hung ? fake.hang : fake.healthy, kind: 'acestream', capacity: 1, labels: {} }, 'config');
  }
  const poller = new EnginePoller({
    clock: systemClock,
    target: registry,
    clientFor: createEngineClient,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    maxInFlight: options.maxInFlight,
  });
  return {
    registry,
    poller,
    close: async () => {
      await poller.stop();
      fake.child.stdin?.end();
      fake.child.kill('SIGTERM');
    },
  };
}

export async function measureEnginePolling(options: EnginePollingOptions, log: (line: string) => void = () => {}): Promise<EnginePollingResult> {
  const pool = await createPool(options);
  const { registry, poller } = pool;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let maxRss = 0;
  let maxHeap = 0;
  const memory = setInterval(() => {
    const usage = process.memoryUsage();
    maxRss = Math.max(maxRss, usage.rss);
    maxHeap = Math.max(maxHeap, usage.heapUsed);
  }, 250);
  const rounds: RoundStats[] = [];
  const cpuPerRound: number[] = [];
  const rssPerRound: number[] = [];
  try {
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    loop.enable();
    await new Promise<void>((resolve) => {
      let cpuMark = process.cpuUsage();
      poller.onRound((stats) => {
        rounds.push(stats);
        rssPerRound.push(round(process.memoryUsage().rss / 2 ** 20, 0));
        if (rounds.length > 1) {
          // From the previous round's end to this one's: one interval of CPU, the round included.
          const used = process.cpuUsage(cpuMark);
          cpuPerRound.push(round((used.user + used.system) / 1_000, 0));
        }
        cpuMark = process.cpuUsage();
        log(`round ${rounds.length}: ${stats.durationMs} ms, ok ${stats.ok}, timed out ${stats.timedOut}, failed ${stats.failed}, peak in flight ${stats.peakInFlight}`);
        if (rounds.length >= options.rounds) resolve();
      });
      poller.start();
    });
    loop.disable();
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    await poller.stop();
    const statuses = registry.list().map((engine) => engine.health.status);
    const roundsMs = rounds.map((r) => r.durationMs);
    const last = rounds.at(-1);
    if (last === undefined) throw new Error('no round finished');
    return {
      roundsMs,
      maxRoundMs: Math.max(...roundsMs),
      loopDelayP99Ms: round(loop.percentile(99) / 1e6, 2),
      loopDelayMaxMs: round(loop.max / 1e6, 2),
      cpuPercent: round(((cpu.user + cpu.system) / 1_000 / wallMs) * 100, 1),
      maxRssMiB: round(maxRss / 2 ** 20, 0),
      maxHeapMiB: round(maxHeap / 2 ** 20, 0),
      cpuMsPerRound: cpuPerRound,
      rssMiBPerRound: rssPerRound,
      lastRound: last,
      healthy: statuses.filter((s) => s === 'healthy').length,
      unhealthy: statuses.filter((s) => s === 'unhealthy').length,
    };
  } finally {
    clearInterval(memory);
    loop.disable();
    await pool.close();
  }
}

/**
 * The first round's floor: the same GETs on bare sockets from a fresh node process (median of
 * three), so the first round's figure can be read against what Node can do here at best.
 */
export async function measureFirstRoundFloor(options: EnginePollingOptions, log: (line: string) => void): Promise<BareGetsResult[]> {
  const fake = await startFakeEngines();
  try {
    const runs: BareGetsResult[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await measureBareGets({ engines: options.engines, hangingRatio: options.hangingRatio, maxInFlight: options.maxInFlight, healthyPort: fake.healthy, hangPort: fake.hang });
      log(`bare GETs from a fresh process ${i + 1}/3: last of ${options.engines} started after ${run.lastStartMs} ms (${run.cpuPerGetUs} µs of CPU per GET)`);
      runs.push(run);
    }
    return runs;
  } finally {
    fake.child.stdin?.end();
    fake.child.kill('SIGTERM');
  }
}

/** Stall detection with the pool idle, then with polling rounds running back to back. */
export async function measureStalls(options: EnginePollingOptions, log: (line: string) => void): Promise<{ idle: StallResult; polling: StallResult }> {
  const stall = { ffmpegPath: REAL_FFMPEG, streams: options.streams, stallTimeoutMs: options.stallTimeoutMs, reps: options.stallReps };
  log(`stall detection, pool idle: ${options.streams} ffmpeg streams, stall timeout ${options.stallTimeoutMs} ms`);
  const idle = await measureStallDetection(stall, undefined, log);
  const pool = await createPool(options);
  try {
    log(`stall detection while ${options.engines} engines are polled back to back`);
    const polling = await measureStallDetection(stall, pool.poller, log);
    return { idle, polling };
  } finally {
    await pool.close();
  }
}

/** The benchmark in bench/run.ts's shape. */
export async function run(options: EnginePollingOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const startedAt = performance.now();
  const r = await measureEnginePolling(options, log);
  const floor = await measureFirstRoundFloor(options, log);
  const floorStartMs = percentile(floor.map((f) => f.lastStartMs), 50);
  const floorCpuUs = percentile(floor.map((f) => f.cpuPerGetUs), 50);
  const stalls = options.stallReps > 0 ? await measureStalls(options, log) : undefined;
  const warm = r.roundsMs.slice(1);
  const warmMax = warm.length > 0 ? Math.max(...warm) : Number.NaN;
  const idleMedian = stalls ? percentile(stalls.idle.detectionMs, 50) : Number.NaN;
  const pollingMedian = stalls ? percentile(stalls.polling.detectionMs, 50) : Number.NaN;
  const pollingMax = stalls ? Math.max(...stalls.polling.detectionMs) : Number.NaN;
  return {
    id: ID,
    title: TITLE,
    ok: true,
    durationMs: performance.now() - startedAt,
    parameters: {
      engines: options.engines,
      'hanging engines': Math.round(options.engines * options.hangingRatio),
      interval: `${options.intervalMs / 1_000} s`,
      timeout: `${options.timeoutMs / 1_000} s`,
      'polls in flight (bound)': options.maxInFlight,
      rounds: options.rounds,
      setup: 'EngineRegistry + EnginePoller + AcestreamClient (a GET on a plain socket read by http-parser-js, no keep-alive); fake engines in a C child process (epoll) on 127.0.0.1',
      ...(stalls && {
        'stall scenario': `${options.streams} real ffmpeg streams (lavfi 64x36, 5 fps) in the polling process, stall timeout ${options.stallTimeoutMs / 1_000} s, ${options.stallReps} SIGSTOPs idle and ${options.stallReps} with rounds back to back`,
      }),
    },
    figures: [
      { label: 'first round (cold: no engine known to hang yet)', value: r.roundsMs[0] ?? Number.NaN, unit: 'ms' },
      { label: 'first-round floor: bare GETs from a fresh node process, last one started after (median of 3)', value: floorStartMs, unit: 'ms' },
      { label: 'first-round floor: CPU per bare GET while starting them', value: floorCpuUs, unit: 'µs' },
      { label: 'later rounds median', value: warm.length > 0 ? percentile(warm, 50) : Number.NaN, unit: 'ms' },
      { label: 'later rounds max', value: warmMax, unit: 'ms' },
      { label: 'event-loop delay p99', value: r.loopDelayP99Ms, unit: 'ms' },
      { label: 'event-loop delay max', value: r.loopDelayMaxMs, unit: 'ms' },
      { label: 'CPU (% of one core, over the run)', value: r.cpuPercent, unit: '%' },
      { label: 'CPU time per interval (round + idle), median', value: r.cpuMsPerRound.length > 0 ? percentile(r.cpuMsPerRound, 50) : Number.NaN, unit: 'ms' },
      { label: 'RSS at round end, median', value: percentile(r.rssMiBPerRound, 50), unit: 'MiB' },
      { label: 'RSS max', value: r.maxRssMiB, unit: 'MiB' },
      { label: 'heap used max', value: r.maxHeapMiB, unit: 'MiB' },
      { label: 'engines healthy / unhealthy at the end', value: r.healthy, unit: `/ ${r.unhealthy}` },
      ...(stalls
        ? [
            { label: 'stall detected after SIGSTOP, pool idle (median)', value: round(idleMedian, 0), unit: 'ms' },
            { label: 'stall detected after SIGSTOP, while polling (median)', value: round(pollingMedian, 0), unit: 'ms' },
            { label: 'stall detected after SIGSTOP, while polling (max)', value: round(pollingMax, 0), unit: 'ms' },
          ]
        : []),
    ],
    targets: [
      { target: `every round ≤ ${options.targetRoundMs / 1_000} s`, measured: `max ${r.maxRoundMs} ms (first round ${r.roundsMs[0] ?? '?'} ms)`, met: r.maxRoundMs <= options.targetRoundMs },
      { target: `rounds after the first ≤ ${options.targetRoundMs / 1_000} s`, measured: `max ${warmMax} ms`, met: warmMax <= options.targetRoundMs },
      { target: `event-loop delay p99 < ${options.targetLoopDelayP99Ms} ms`, measured: `${r.loopDelayP99Ms} ms`, met: r.loopDelayP99Ms < options.targetLoopDelayP99Ms },
      ...(stalls
        ? [
            {
              target: `stall detection unaffected by polling (median within 250 ms of idle, every one ≤ stall timeout + 1 s)`,
              measured: `${round(pollingMedian, 0)} ms vs ${round(idleMedian, 0)} ms idle, max ${round(pollingMax, 0)} ms (timeout ${options.stallTimeoutMs} ms)`,
              met: Math.abs(pollingMedian - idleMedian) <= 250 && pollingMax <= options.stallTimeoutMs + 1_000,
            },
          ]
        : []),
    ],
    notes: [
      'Round time runs from the first poll to the last settled poll; the hung engines set its floor (the timeout).',
      'Engines that timed out are polled first in the next round, so from the second round on the hung ones start at once; the first round cannot know them and ends at (start of the last hung poll + timeout).',
      `First-round floor: the same ${options.engines} GETs on bare net sockets (no poller, no parser) from a fresh node process start their last one after ${floorStartMs} ms, so no first round in Node can end before about ${round((floorStartMs + options.timeoutMs) / 1_000, 2)} s on this machine.`,
      'Stall detection is measured from the SIGSTOP; it lies in [stall timeout − 1 s, stall timeout] (progress every second) when nothing delays it.',
    ],
    samples: { roundMs: r.roundsMs, cpuMsPerInterval: r.cpuMsPerRound, rssMiBAtRoundEnd: r.rssMiBPerRound, ...(stalls && { stallIdleMs: stalls.idle.detectionMs, stallPollingMs: stalls.polling.detectionMs }) },
  };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const [engines, rounds, intervalMs, stallReps] = process.argv.slice(2).map(Number);
  const options: EnginePollingOptions = {
    ...FULL,
    ...(engines !== undefined && Number.isFinite(engines) && { engines }),
    ...(rounds !== undefined && Number.isFinite(rounds) && { rounds }),
    ...(intervalMs !== undefined && Number.isFinite(intervalMs) && { intervalMs }),
    ...(stallReps !== undefined && Number.isFinite(stallReps) && { stallReps }),
  };
  const result = await run(options, (line) => process.stderr.write(`${line}\n`));
  const { samples: _samples, ...summary } = result;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = result.targets.every((t) => t.met) ? 0 : 1;
}
