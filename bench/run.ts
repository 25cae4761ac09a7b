/**
 * `npm run bench` — runs every benchmark of DESIGN.md §7 that exists so far, writes the results
 * (JSON + Markdown, with the machine) to bench/results/ and prints a summary.
 *
 *   npm run bench                       all, full repetitions (≈ 10 min)
 *   npm run bench -- --quick            all, fewer repetitions (≈ 2.5 min)
 *   npm run bench -- overhead           one (or several): recovery-sigkill, recovery-sigstop, overhead,
 *                                       metrics-latency, engine-polling
 *
 * Exit code: 0 when every benchmark ran (missing targets are reported, not failures), 1 when a
 * benchmark or the build failed, 2 on a usage error.
 */
import os from 'node:os';
import { compileFakeEncoder, buildDaemon, BenchSetupError } from './lib/build.js';
import { machineInfo } from './lib/machine.js';
import { logger, renderSummary, writeReport, type BenchOutcome, type BenchResult } from './lib/report.js';
import { now } from './lib/time.js';
import * as enginePolling from './engine-polling.js';
import * as metricsLatency from './metrics-latency.js';
import * as overhead from './overhead.js';
import * as sigkill from './recovery-sigkill.js';
import * as sigstop from './recovery-sigstop.js';

interface Bench {
  readonly id: string;
  readonly title: string;
  readonly needsFakeEncoder: boolean;
  run(quick: boolean): Promise<BenchResult>;
}

const BENCHES: readonly Bench[] = [
  { id: sigkill.ID, title: sigkill.TITLE, needsFakeEncoder: false, run: (quick) => sigkill.run(quick ? sigkill.QUICK : sigkill.FULL) },
  { id: sigstop.ID, title: sigstop.TITLE, needsFakeEncoder: false, run: (quick) => sigstop.run(quick ? sigstop.QUICK : sigstop.FULL) },
  { id: overhead.ID, title: overhead.TITLE, needsFakeEncoder: true, run: (quick) => overhead.run(quick ? overhead.QUICK : overhead.FULL) },
  { id: metricsLatency.ID, title: metricsLatency.TITLE, needsFakeEncoder: false, run: (quick) => metricsLatency.run(quick ? metricsLatency.QUICK : metricsLatency.FULL) },
  {
    id: enginePolling.ID,
    title: enginePolling.TITLE,
    needsFakeEncoder: false,
    run: (quick) => enginePolling.run(quick ? enginePolling.QUICK : enginePolling.FULL, logger(enginePolling.ID)),
  },
];

const USAGE = `usage: npm run bench -- [--quick] [${BENCHES.map((b) => b.id).join(' | ')} ...]
  --quick   fewer repetitions and shorter windows (indicative figures, a few minutes)
  no name   run every benchmark`;

function parseArgs(args: readonly string[]): { quick: boolean; selected: Bench[] } | string {
  let quick = false;
  const names: string[] = [];
  for (const arg of args) {
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') return USAGE;
    else if (arg.startsWith('-')) return `unknown option ${arg}\n${USAGE}`;
    else names.push(arg);
  }
  const unknown = names.filter((name) => !BENCHES.some((b) => b.id === name));
  if (unknown.length > 0) return `unknown benchmark ${unknown.join(', ')}\n${USAGE}`;
  return { quick, selected: names.length === 0 ? [...BENCHES] : BENCHES.filter((b) => names.includes(b.id)) };
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    const isHelp = parsed === USAGE;
    (isHelp ? process.stdout : process.stderr).write(`${parsed}\n`);
    return isHelp ? 0 : 2;
  }
  const { quick, selected } = parsed;
  const log = logger('bench');
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();

  try {
    log('building the daemon (npm run build)');
    buildDaemon();
    if (selected.some((b) => b.needsFakeEncoder)) log(`compiled the fake encoder: ${compileFakeEncoder()}`);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof BenchSetupError ? error.message : String(error)}\n`);
    return 1;
  }
  const machine = machineInfo();

  const outcomes: BenchOutcome[] = [];
  for (const bench of selected) {
    const benchStart = now();
    log(`── ${bench.id}${quick ? ' (quick)' : ''}`);
    try {
      outcomes.push(await bench.run(quick));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${bench.id} FAILED: ${message}`);
      outcomes.push({ id: bench.id, title: bench.title, ok: false, durationMs: now() - benchStart, error: message });
    }
  }

  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    outcomes,
  } as const;
  const files = writeReport(report);
  process.stdout.write(`\n${renderSummary(report)}\nwritten: ${files.join(', ')}\n`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

process.exitCode = await main();
