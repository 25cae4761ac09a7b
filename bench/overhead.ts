/**
 * Supervision overhead vs PM2 (DESIGN.md §7): the same N fake encoders (bench/fake-encoder.c,
 * one progress block per second each) run under (a) the real streamwarden daemon and (b) PM2 7
 * (fork mode, interpreter none, autorestart, private PM2_HOME). After all N run and a warm-up,
 * the supervisor process's CPU (utime + stime over a window, % of one core) and RSS are read
 * from /proc; medians over several windows. For PM2 that is the God daemon.
 *
 * Targets: N = 200 → streamwarden CPU < 0.5 × PM2 and RSS < 150 MiB;
 *          N = 1000 → CPU ≤ PM2 and RSS < 300 MiB.
 */
import { execFileSync } from 'node:child_process';
import { parseCapabilities } from '../src/adapters/ffmpeg/detect-capabilities.js';
import { buildArgv } from '../src/domain/argv.js';
import { listProcesses } from '../test/helpers/proc.js';
import { signalPid } from './lib/cleanup.js';
import { startRealDaemon } from './lib/daemon.js';
import { FAKE_ENCODER } from './lib/paths.js';
import { startPm2 } from './lib/pm2.js';
import { clkTck, cpuTicks, liveProcessesOfExe, statusKiB } from './lib/proc.js';
import { formatValue, logger, type BenchResult, type Figure, type TargetCheck } from './lib/report.js';
import { median, round } from './lib/stats.js';
import { now, pollUntil, sleep } from './lib/time.js';

export const ID = 'overhead';
export const TITLE = 'Supervision overhead vs PM2';

export interface OverheadOptions {
  readonly sizes: readonly number[];
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly windows: number;
}

export const FULL: OverheadOptions = { sizes: [200, 1000], warmupMs: 15_000, windowMs: 30_000, windows: 3 };
export const QUICK: OverheadOptions = { sizes: [200, 1000], warmupMs: 5_000, windowMs: 10_000, windows: 1 };

/** What each encoder is asked to do (the daemon prepends its global options). */
const ENCODER_ARGS = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'null', '-'];

type Supervisor = 'streamwarden' | 'pm2';

interface Measurement {
  readonly supervisor: Supervisor;
  readonly n: number;
  readonly pid: number;
  readonly startupMs: number;
  readonly cpuPercent: readonly number[];
  readonly rssMiB: readonly number[];
  /** Encoders replaced (restarted) between the first and the last window. */
  readonly replaced: number;
  readonly cleanTeardown: boolean;
  /** From asking the supervisor to stop to every encoder and the supervisor gone. */
  readonly teardownMs: number;
  readonly leftovers: number;
}

/** The daemon's argv for the fake (as it builds it) and the PM2 one: same, but progress on stdout. */
function encoderArgv(): { daemon: string[]; pm2: string[] } {
  const help = execFileSync(FAKE_ENCODER, ['-hide_banner', '-h', 'long'], { encoding: 'utf8' });
  const version = execFileSync(FAKE_ENCODER, ['-hide_banner', '-version'], { encoding: 'utf8' });
  const daemon = buildArgv({ kind: 'args', args: ENCODER_ARGS }, parseCapabilities(version, help), { inputIndex: 0 });
  // fd 3 is PM2's IPC channel in fork mode: PM2 gets the same progress on stdout, which it reads
  // and writes to its log files (its default handling of a child's output).
  return { daemon, pm2: daemon.map((arg) => (arg === 'pipe:3' ? 'pipe:1' : arg)) };
}

function liveEncoderChildren(parentPid: number): Set<number> {
  const encoders = new Set(liveProcessesOfExe(FAKE_ENCODER).map((p) => p.pid));
  return new Set(listProcesses().filter((p) => p.ppid === parentPid && encoders.has(p.pid)).map((p) => p.pid));
}

async function waitForEncoders(parentPid: number, n: number, timeoutMs: number, what: string): Promise<void> {
  await pollUntil(() => (liveEncoderChildren(parentPid).size >= n ? true : undefined), {
    timeoutMs,
    intervalMs: 1_000,
    description: `${n} fake encoders running under ${what}`,
  });
}

/** Warm-up, then `windows` windows: CPU % of one core and RSS (at the window's end) of `pid`. */
async function measureProcess(pid: number, options: OverheadOptions, log: (line: string) => void): Promise<{ cpu: number[]; rss: number[]; replaced: number }> {
  await sleep(options.warmupMs);
  const before = liveEncoderChildren(pid);
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let w = 0; w < options.windows; w += 1) {
    const t0 = now();
    const c0 = cpuTicks(pid);
    await sleep(options.windowMs);
    const c1 = cpuTicks(pid);
    const t1 = now();
    const percent = ((c1 - c0) / clkTck() / ((t1 - t0) / 1000)) * 100;
    const mib = statusKiB(pid, 'VmRSS') / 1024;
    cpu.push(percent);
    rss.push(mib);
    log(`  window ${w + 1}/${options.windows}: CPU ${percent.toFixed(2)} % of a core, RSS ${mib.toFixed(1)} MiB`);
  }
  const after = liveEncoderChildren(pid);
  const replaced = [...before].filter((p) => !after.has(p)).length;
  return { cpu, rss, replaced };
}

/** After a teardown: no fake encoder may remain. Kills leftovers by pid and reports how many. */
async function ensureNoEncoders(log: (line: string) => void): Promise<number> {
  let leftovers = liveProcessesOfExe(FAKE_ENCODER);
  if (leftovers.length === 0) return 0;
  // Give stragglers a moment (a signal in flight), then kill what is left, by pid.
  try {
    await pollUntil(() => (liveProcessesOfExe(FAKE_ENCODER).length === 0 ? true : undefined), { timeoutMs: 5_000, intervalMs: 200, description: 'fake encoders to exit' });
    return 0;
  } catch {
    leftovers = liveProcessesOfExe(FAKE_ENCODER);
  }
  log(`${leftovers.length} fake encoder(s) left after teardown: killing them by pid`);
  for (const p of leftovers) signalPid(p.pid, 'SIGKILL');
  await pollUntil(() => (liveProcessesOfExe(FAKE_ENCODER).length === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 200, description: 'leftover fake encoders to die' });
  return leftovers.length;
}

async function underStreamwarden(n: number, argv: readonly string[], options: OverheadOptions, log: (line: string) => void): Promise<Measurement> {
  const startedAt = now();
  const streams = Array.from({ length: n }, (_, i) => ({ id: `enc-${String(i + 1).padStart(4, '0')}`, args: [...ENCODER_ARGS] }));
  const daemon = await startRealDaemon({ ffmpegPath: FAKE_ENCODER, streams }, { startTimeoutMs: 60_000 });
  let clean = false;
  try {
    await pollUntil(
      async () => ((await daemon.streams()).filter((s) => s.state === 'running').length >= n ? true : undefined),
      { timeoutMs: 60_000 + n * 50, intervalMs: 1_000, description: `the daemon to report ${n} streams running` },
    );
    await waitForEncoders(daemon.pid, n, 30_000, 'streamwarden');
    const startupMs = now() - startedAt;
    log(`streamwarden (pid ${daemon.pid}): ${n} encoders running after ${(startupMs / 1000).toFixed(1)} s (argv: ${argv.join(' ')})`);
    const measured = await measureProcess(daemon.pid, options, log);
    const restarts = (await daemon.streams()).reduce((sum, s) => sum + s.restarts, 0);
    if (restarts > 0) log(`  the daemon counted ${restarts} restart(s)`);
    const stopAt = now();
    const stopped = await daemon.stop({ timeoutMs: 60_000 });
    clean = stopped.clean;
    const teardownMs = now() - stopAt;
    log(`streamwarden stopped ${clean ? 'cleanly' : 'UNCLEANLY'} in ${(teardownMs / 1000).toFixed(1)} s (exit code ${stopped.code}, signal ${stopped.signal})`);
    return { supervisor: 'streamwarden', n, pid: daemon.pid, startupMs, cpuPercent: measured.cpu, rssMiB: measured.rss, replaced: measured.replaced, cleanTeardown: clean, teardownMs, leftovers: 0 };
  } finally {
    if (!clean) await daemon.stop({ timeoutMs: 30_000 });
  }
}

async function underPm2(n: number, argv: readonly string[], options: OverheadOptions, log: (line: string) => void): Promise<Measurement> {
  const startedAt = now();
  const apps = Array.from({ length: n }, (_, i) => ({ name: `enc-${String(i + 1).padStart(4, '0')}`, script: FAKE_ENCODER, args: argv }));
  const pm2 = await startPm2(apps, { timeoutMs: 300_000 });
  let stopped = false;
  try {
    await waitForEncoders(pm2.godPid, n, 120_000, 'PM2');
    const startupMs = now() - startedAt;
    log(`PM2 (God daemon pid ${pm2.godPid}, PM2_HOME ${pm2.home}): ${n} encoders running after ${(startupMs / 1000).toFixed(1)} s (argv: ${argv.join(' ')})`);
    const measured = await measureProcess(pm2.godPid, options, log);
    stopped = true;
    const stopAt = now();
    const { clean } = await pm2.stop();
    const teardownMs = now() - stopAt;
    log(`PM2 stopped (pm2 kill) ${clean ? 'cleanly' : 'UNCLEANLY'} in ${(teardownMs / 1000).toFixed(1)} s`);
    return { supervisor: 'pm2', n, pid: pm2.godPid, startupMs, cpuPercent: measured.cpu, rssMiB: measured.rss, replaced: measured.replaced, cleanTeardown: clean, teardownMs, leftovers: 0 };
  } finally {
    if (!stopped) await pm2.stop();
  }
}

export async function run(options: OverheadOptions): Promise<BenchResult> {
  const log = logger(ID);
  const startedAt = now();
  const argv = encoderArgv();
  if (liveProcessesOfExe(FAKE_ENCODER).length > 0) {
    throw new Error(`fake encoders (${FAKE_ENCODER}) are already running: another bench? Stop it first.`);
  }

  const figures: Figure[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  const samples: Record<string, number[]> = {};
  for (const n of options.sizes) {
    const results: Partial<Record<Supervisor, Measurement>> = {};
    for (const supervisor of ['streamwarden', 'pm2'] as const) {
      log(`── N = ${n} under ${supervisor}`);
      const m = supervisor === 'streamwarden' ? await underStreamwarden(n, argv.daemon, options, log) : await underPm2(n, argv.pm2, options, log);
      const leftovers = await ensureNoEncoders(log);
      results[supervisor] = { ...m, leftovers };
      if (leftovers > 0) notes.push(`N=${n}, ${supervisor}: ${leftovers} fake encoder(s) survived the teardown and were killed by pid.`);
      if (!m.cleanTeardown) notes.push(`N=${n}, ${supervisor}: the supervisor did not stop cleanly (killed by pid).`);
      if (m.replaced > 0) notes.push(`N=${n}, ${supervisor}: ${m.replaced} encoder(s) were restarted during the measurement.`);
      samples[`${supervisor}-${n}-cpuPercent`] = m.cpuPercent.map((v) => round(v, 3));
      samples[`${supervisor}-${n}-rssMiB`] = m.rssMiB.map((v) => round(v, 1));
      samples[`${supervisor}-${n}-startupSeconds`] = [round(m.startupMs / 1000, 1)];
    }
    const sw = results.streamwarden;
    const pm = results.pm2;
    if (sw === undefined || pm === undefined) throw new Error('a measurement is missing');
    const swCpu = median(sw.cpuPercent);
    const pmCpu = median(pm.cpuPercent);
    const swRss = median(sw.rssMiB);
    const pmRss = median(pm.rssMiB);
    const cpuRatio = swCpu / pmCpu;
    const rssRatio = swRss / pmRss;
    figures.push(
      { label: `N=${n} streamwarden CPU (median)`, value: swCpu, unit: '% of a core' },
      { label: `N=${n} PM2 God daemon CPU (median)`, value: pmCpu, unit: '% of a core' },
      { label: `N=${n} CPU ratio streamwarden / PM2`, value: cpuRatio, unit: '×' },
      { label: `N=${n} streamwarden RSS (median)`, value: swRss, unit: 'MiB' },
      { label: `N=${n} PM2 God daemon RSS (median)`, value: pmRss, unit: 'MiB' },
      { label: `N=${n} RSS ratio streamwarden / PM2`, value: rssRatio, unit: '×' },
      { label: `N=${n} start-up to all running: streamwarden`, value: sw.startupMs / 1000, unit: 's' },
      { label: `N=${n} start-up to all running: PM2`, value: pm.startupMs / 1000, unit: 's' },
      { label: `N=${n} stop of everything: streamwarden (SIGTERM)`, value: sw.teardownMs / 1000, unit: 's' },
      { label: `N=${n} stop of everything: PM2 (pm2 kill)`, value: pm.teardownMs / 1000, unit: 's' },
    );
    const cpuLimit = n <= 200 ? 0.5 : 1;
    const rssLimit = n <= 200 ? 150 : 300;
    targets.push(
      {
        target: `N=${n}: streamwarden CPU ${cpuLimit === 1 ? '≤' : `< ${cpuLimit} ×`} PM2`,
        measured: `${formatValue(swCpu, '%')} vs ${formatValue(pmCpu, '%')} (${formatValue(cpuRatio, '×')})`,
        met: cpuLimit === 1 ? swCpu <= pmCpu : swCpu < cpuLimit * pmCpu,
      },
      {
        target: `N=${n}: streamwarden RSS < ${rssLimit} MiB`,
        measured: `${formatValue(swRss, 'MiB')} (PM2 ${formatValue(pmRss, 'MiB')})`,
        met: swRss < rssLimit,
      },
    );
  }
  notes.unshift(
    'CPU = (utime + stime) of the supervisor process alone over each window, from /proc/PID/stat; RSS = VmRSS at the end of each window.',
    `Encoders under streamwarden get progress on fd 3 (the daemon's pipe); under PM2 on stdout (fd 3 is PM2's IPC channel), which PM2 reads and writes to its default log files. Argv otherwise identical: ${argv.pm2.join(' ')}.`,
  );
  return {
    id: ID,
    title: TITLE,
    ok: true,
    durationMs: now() - startedAt,
    parameters: {
      'encoder counts (N)': options.sizes.join(', '),
      encoder: 'bench/fake-encoder.c (cc -O2): one progress block per second each',
      'warm-up': `${options.warmupMs / 1000} s`,
      windows: `${options.windows} × ${options.windowMs / 1000} s`,
      'clock ticks per second': clkTck(),
      PM2: 'fork mode, interpreter none, autorestart, private PM2_HOME, default logging',
    },
    figures,
    targets,
    notes,
    samples,
  };
}
