/**
 * `/metrics` latency with 1,000 streams (DESIGN.md §7). A Supervisor drives 1,000 streams through
 * the fake process runner (test/fakes/), each fed progress (so every per-stream series exists),
 * some restarted, some in backoff, each with a recorded output check and a process sample;
 * StreamwardenMetrics (with the daemon's default Node.js metrics) is served by fastify on
 * 127.0.0.1 and GET /metrics is timed from request to last byte over HTTP, after a warm-up.
 *
 * Target: median < 50 ms.
 *
 *   npx tsx bench/metrics-latency.ts            run alone, print the result (exit 1 if missed)
 *   import { run, FULL, QUICK } from './metrics-latency.js'   from bench/run.ts
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type StreamSpec } from '../src/domain/stream-spec.js';
import { registerMetricsRoutes } from '../src/http/routes/metrics.js';
import type { ProcessStats, ProcessStatsReader } from '../src/ports/process-stats.js';
import { StreamwardenMetrics } from '../src/metrics/streamwarden-metrics.js';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../test/fakes/fake-process-runner.js';
import { silentLogger } from '../test/fakes/silent-logger.js';
import type { BenchResult } from './lib/report.js';
import { percentile, round } from './lib/stats.js';

export const ID = 'metrics-latency';
export const TITLE = '/metrics latency with 1,000 streams';

export interface MetricsLatencyOptions {
  readonly streams: number;
  readonly warmup: number;
  readonly requests: number;
  readonly targetMedianMs: number;
}

export const FULL: MetricsLatencyOptions = { streams: 1_000, warmup: 20, requests: 200, targetMedianMs: 50 };
export const QUICK: MetricsLatencyOptions = { streams: 1_000, warmup: 10, requests: 60, targetMedianMs: 50 };

export interface MetricsLatencyResult {
  readonly name: string;
  /** Milliseconds, request sent → last byte received. */
  readonly median: number;
  readonly p95: number;
  readonly target: string;
  readonly met: boolean;
  readonly streams: number;
  readonly requests: number;
  readonly responseBytes: number;
  readonly samples: number;
  readonly latenciesMs: readonly number[];
}

function spec(index: number): StreamSpec {
  const id = `stream-${String(index).padStart(4, '0')}`;
  return {
    id,
    name: `Stream ${index}`,
    desired: 'running',
    source: { kind: 'args', args: ['-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'flv', `rtmp://127.0.0.1/live/${id}`] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs: 10_000,
    checks: [{ type: 'ffprobe', name: 'output', intervalMs: 3_000, timeoutMs: 10_000, informational: false, successThreshold: 1, settings: { url: `rtmp://127.0.0.1/live/${id}`, expect: {} } }],
    onUnhealthy: [],
    notify: [],
  };
}

/** Every process uses some CPU and memory, so every process series exists. */
const fakeStats: ProcessStatsReader = {
  read: (pid: number): Promise<ProcessStats> =>
    Promise.resolve({ cpuSeconds: (pid % 97) / 10, residentBytes: 40_000_000 + pid * 1_000, startTicks: pid }),
};

export async function measureMetricsLatency(options: MetricsLatencyOptions): Promise<MetricsLatencyResult> {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const supervisor = new Supervisor(Array.from({ length: options.streams }, (_, i) => spec(i)), {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'bench', options: new Set(['stats_period']) } },
    logger: silentLogger,
    redact: (text) => text,
    random: () => 0.5,
  });
  const metrics = new StreamwardenMetrics({ supervisor, clock, processStats: fakeStats });
  supervisor.startDesired();

  const feed = (rounds: number): void => {
    for (let r = 0; r < rounds; r++) {
      clock.advance(1_000);
      for (const proc of runner.spawned) if (proc.alive) proc.progress();
    }
  };
  feed(3);
  // Every 10th stream crashes once (restarted at once), every 50th twice (now in backoff).
  const streams = supervisor.list();
  streams.forEach((stream, i) => {
    if (i % 10 === 0) runner.spawned.find((p) => p.alive && p.pid === stream.status().pid)?.exit({ code: 1, signal: null });
  });
  feed(3);
  streams.forEach((stream, i) => {
    if (i % 50 === 0) runner.spawned.find((p) => p.alive && p.pid === stream.status().pid)?.exit({ code: null, signal: 'SIGKILL' });
  });
  streams.forEach((stream, i) => metrics.recordCheck(stream.spec.id, 'output', i % 7 !== 0, 0.05 + (i % 20) / 100));
  for (let e = 0; e < 20; e++) metrics.setEngineHealth(`engine-${e}`, e % 5 === 0 ? 'unhealthy' : 'healthy');
  metrics.countNotification('ops', 'sent');
  await metrics.sampleProcesses();

  const app = Fastify({ logger: false });
  registerMetricsRoutes(app, { metrics });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `${base}/metrics`;
  // A plain keep-alive HTTP client, like Prometheus's: the whole body is read as bytes.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let responseBytes = 0;
    let samples = 0;
    const once = async (): Promise<number> => {
      const started = performance.now();
      const { status, body } = await get(url, agent);
      const elapsed = performance.now() - started;
      if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
      responseBytes = body.length;
      samples = body.toString('latin1').split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
      return elapsed;
    };
    for (let i = 0; i < options.warmup; i++) await once();
    const latenciesMs: number[] = [];
    for (let i = 0; i < options.requests; i++) latenciesMs.push(await once());
    const median = percentile(latenciesMs, 50);
    return {
      name: TITLE,
      median: round(median, 2),
      p95: round(percentile(latenciesMs, 95), 2),
      target: `median < ${options.targetMedianMs} ms`,
      met: median < options.targetMedianMs,
      streams: options.streams,
      requests: options.requests,
      responseBytes,
      samples,
      latenciesMs,
    };
  } finally {
    agent.destroy();
    metrics.close();
    await app.close();
  }
}

/** GET `url`, resolving with the status and the whole body once its last byte has arrived. */
function get(url: string, agent: http.Agent): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** The benchmark in bench/run.ts's shape. */
export async function run(options: MetricsLatencyOptions): Promise<BenchResult> {
  const startedAt = performance.now();
  const result = await measureMetricsLatency(options);
  return {
    id: ID,
    title: TITLE,
    ok: true,
    durationMs: performance.now() - startedAt,
    parameters: {
      streams: options.streams,
      'timed requests (sequential, after warm-up)': options.requests,
      'warm-up requests': options.warmup,
      setup: 'Supervisor + fake process runner; progress, restarts, backoff, output checks and process samples for every stream',
    },
    figures: [
      { label: 'GET /metrics median', value: result.median, unit: 'ms' },
      { label: 'GET /metrics p95', value: result.p95, unit: 'ms' },
      { label: 'response size', value: round(result.responseBytes / 1024, 0), unit: 'KiB' },
      { label: 'samples in the response', value: result.samples, unit: '' },
    ],
    targets: [{ target: result.target, measured: `${result.median} ms`, met: result.met }],
    notes: ['Timed from the request to the last byte over loopback HTTP (node:http, keep-alive), one request at a time.'],
    samples: { latencyMs: result.latenciesMs },
  };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const result = await measureMetricsLatency(FULL);
  const { latenciesMs: _latencies, ...summary } = result;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = result.met ? 0 : 1;
}
