/**
 * /metrics against Prometheus's own linter: a real Supervisor runs the fake ffmpeg (one steady
 * stream, one that keeps crashing so the restart counters move), StreamwardenMetrics samples the
 * real processes from /proc, a real fastify server on 127.0.0.1 serves GET /metrics, and the
 * scrape is piped to `promtool check metrics`. The deploy/ rules and their unit tests go through
 * `promtool check rules` / `promtool test rules`, and every metric name they (and the Grafana
 * dashboard) use must exist in the live scrape.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procfsReader } from '../../src/adapters/procfs.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { registerMetricsRoutes } from '../../src/http/routes/metrics.js';
import { StreamwardenMetrics } from '../../src/metrics/streamwarden-metrics.js';
import { requireBinary } from '../helpers/require-binary.js';
import { FAKE_CAPABILITIES, FAKE_FFMPEG, startHarness, type Harness } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const PROMTOOL = requireBinary('promtool', ['/usr/bin/promtool']);
const PROMETHEUS_DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../deploy/grafana/streamwarden-dashboard.json', import.meta.url));
const KEY = 'live_9f8e7d6c5b4a';

/** The minimum set of DESIGN.md §4.4, by family name. */
const CONTRACT = [
  'streamwarden_stream_state',
  'streamwarden_stream_healthy',
  'streamwarden_stream_restarts_total',
  'streamwarden_stream_uptime_seconds',
  'streamwarden_stream_output_frames_total',
  'streamwarden_stream_output_bytes_total',
  'streamwarden_stream_fps',
  'streamwarden_stream_speed_ratio',
  'streamwarden_stream_last_progress_timestamp_seconds',
  'streamwarden_process_cpu_seconds_total',
  'streamwarden_process_resident_memory_bytes',
  'streamwarden_check_success',
  'streamwarden_check_duration_seconds',
  'streamwarden_recovery_duration_seconds',
  'streamwarden_engine_healthy',
  'streamwarden_notifications_total',
];

function streamArgs(id: string, mode: string): string {
  return JSON.stringify([
    '-stats_period', '0.2', '-fake', mode, '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-f', 'flv', `rtmp://publisher:hunter2@127.0.0.1:1/live/${id}-\${STREAM_KEY}`,
  ]);
}

const YAML = `
streams:
  - id: steady
    args: ${streamArgs('steady', 'normal')}
    startTimeout: 5s
    stop: { interruptGrace: 1s, terminateGrace: 1s }
    checks:
      - type: ffprobe
        name: output
        url: rtmp://127.0.0.1:1/live/steady-\${STREAM_KEY}
  - id: crashy
    args: ${streamArgs('crashy', 'crash-after:0.6')}
    startTimeout: 5s
    stop: { interruptGrace: 1s, terminateGrace: 1s }
`;

/** Runs promtool with `args` (and stdin), returning its exit status and everything it printed. */
function promtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL ?? 'promtool', args, { cwd: PROMETHEUS_DIR, input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Family names declared in an exposition text (`# TYPE name type`). */
function familiesOf(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe.skipIf(PROMTOOL === undefined)('metrics with promtool', () => {
  let h: Harness;
  let metrics: StreamwardenMetrics;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    h = startHarness(YAML, { ffmpegPath: FAKE_FFMPEG, capabilities: FAKE_CAPABILITIES, env: { STREAM_KEY: KEY } });
    metrics = new StreamwardenMetrics({ supervisor: h.supervisor, clock: systemClock, processStats: procfsReader(), sampleIntervalMs: 200 });
    metrics.start();
    h.supervisor.startDesired();
    app = Fastify({ logger: false });
    registerMetricsRoutes(app, { metrics });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
  });

  afterAll(async () => {
    metrics?.close();
    await app?.close();
    await h?.close();
  });

  async function scrape(): Promise<{ text: string; contentType: string | null }> {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return { text: await response.text(), contentType: response.headers.get('content-type') };
  }

  it('serves a live scrape that promtool check metrics finds nothing to complain about', async () => {
    await h.waitForEvent('run-finished', (e) => e.streamId === 'crashy' && e.reason === 'exited', {
      description: 'the crashing stream to exit after progress',
    });
    await h.waitForEvent('state', (e) => e.streamId === 'steady' && e.to === 'running', { description: 'steady to run' });
    metrics.recordCheck('steady', 'output', true, 0.12); // as the watchdog will
    const { text, contentType } = await waitFor(
      async () => {
        const result = await scrape();
        const sampled = /^streamwarden_process_resident_memory_bytes\{stream="steady"\} [1-9]/m.test(result.text);
        const restarted = /^streamwarden_stream_restarts_total\{stream="crashy",reason="exited"\} [1-9]/m.test(result.text);
        const recovered = /^streamwarden_recovery_duration_seconds_count\{cause="exited"\} [1-9]/m.test(result.text);
        return sampled && restarted && recovered ? result : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'a scrape with a memory sample, a restart and a recovery' },
    );
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');

    const lint = promtool(['check', 'metrics'], text);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);

    const families = familiesOf(text);
    for (const name of CONTRACT) expect(families.has(name), name).toBe(true);
    expect(families.get('streamwarden_recovery_duration_seconds')).toBe('histogram');
    expect(families.get('streamwarden_check_duration_seconds')).toBe('histogram');
    expect(text).toMatch(/^streamwarden_stream_state\{stream="steady",state="running"\} 1$/m);
    expect(text).toMatch(/^streamwarden_stream_output_frames_total\{stream="steady"\} [1-9]\d*$/m);
    expect(text).toMatch(/^streamwarden_process_cpu_seconds_total\{stream="steady"\} \d/m);
    expect(text).toMatch(/^streamwarden_check_success\{stream="steady",check="output"\} 1$/m);
    expect(text).toMatch(/^streamwarden_check_success\{stream="steady",check="progress"\} 1$/m);
    expect(text).toMatch(/^streamwarden_daemon_nodejs_eventloop_lag_p99_seconds \d/m);

    // Labels are ids and fixed lists: no URL, key, credentials or error text.
    for (const secret of [KEY, 'rtmp://', 'hunter2', '127.0.0.1:1', 'Error', 'error:']) expect(text).not.toContain(secret);
  });

  it('has every metric the alert rules, their tests and the dashboard refer to', async () => {
    const { text } = await scrape();
    const families = familiesOf(text);
    const exists = (name: string): boolean => {
      if (families.has(name)) return true;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return families.get(base) === 'histogram';
    };
    const sources = ['alerts.yml', 'alerts.test.yml'].map((file) => readFileSync(`${PROMETHEUS_DIR}${file}`, 'utf8'));
    sources.push(readFileSync(DASHBOARD, 'utf8'));
    const used = new Set(sources.flatMap((source) => [...source.matchAll(/\bstreamwarden_[a-z0-9_]+/g)].map((match) => match[0])));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !exists(name))).toEqual([]);
  });

  it('checks the alert rules and passes their unit tests (promtool check rules / test rules / check config)', () => {
    const rules = promtool(['check', 'rules', 'alerts.yml']);
    expect(rules.output).toContain('SUCCESS');
    expect(rules.status).toBe(0);
    const tests = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
    const config = promtool(['check', 'config', 'prometheus.yml']);
    expect(config.status).toBe(0);
  });

  it('ships a dashboard with a stream variable whose queries use only streamwarden metrics', () => {
    const text = readFileSync(DASHBOARD, 'utf8');
    const dashboard = JSON.parse(text) as { uid?: unknown; templating?: { list?: Array<{ name?: unknown }> } };
    expect(dashboard.uid).toBe('streamwarden');
    expect(dashboard.templating?.list?.map((variable) => variable.name)).toEqual(expect.arrayContaining(['datasource', 'instance', 'stream']));
    for (const name of ['streamwarden_stream_state', 'streamwarden_stream_fps', 'streamwarden_stream_output_bytes_per_second',
      'streamwarden_stream_speed_ratio', 'streamwarden_stream_restarts_total', 'streamwarden_process_cpu_seconds_total',
      'streamwarden_process_resident_memory_bytes', 'streamwarden_check_success', 'streamwarden_recovery_duration_seconds_bucket']) {
      expect(text).toContain(name);
    }
  });
});
