import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import type { CheckSpec, StreamSpec } from '../domain/stream-spec.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { ProcessStats, ProcessStatsReader } from '../ports/process-stats.js';
import { StreamwardenMetrics } from './streamwarden-metrics.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';

const KEY = 'sk-live-7f3a9c';

function check(name: string): CheckSpec {
  return { type: 'ffprobe', name, intervalMs: 3_000, timeoutMs: 10_000, informational: false, successThreshold: 1, settings: { url: 'rtmp://127.0.0.1/live/out', expect: {} } };
}

function spec(id: string, desired: 'running' | 'stopped' = 'running', checks: CheckSpec[] = []): StreamSpec {
  return testStreamSpec(id, {
    name: `Stream ${id}`,
    desired,
    source: { kind: 'args', args: ['-i', 'x', '-f', 'flv', `rtmp://user:pw@127.0.0.1/live/${KEY}`] },
    checks,
  });
}

/** Process figures set by the test, per pid; counts reads. */
class FakeStatsReader implements ProcessStatsReader {
  readonly stats = new Map<number, ProcessStats>();
  reads = 0;
  read(pid: number): Promise<ProcessStats | undefined> {
    this.reads++;
    return Promise.resolve(this.stats.get(pid));
  }
}

function setup(specs: StreamSpec[] = [spec('cam', 'running', [check('output')]), spec('idle', 'stopped')]) {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const supervisor = new Supervisor(specs, {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact: (t) => t,
    random: () => 0.5, // no jitter
  });
  const reader = new FakeStatsReader();
  const metrics = new StreamwardenMetrics({
    supervisor,
    clock,
    version: '1.2.3',
    processStats: reader,
    sampleIntervalMs: 5_000,
    defaultMetrics: false,
  });
  supervisor.startDesired();
  /** `n` progress blocks of the newest process, one second apart. */
  const progress = (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.advance(1_000);
      runner.last.progress();
    }
  };
  const scrape = async () => samples(await metrics.render());
  return { clock, runner, supervisor, reader, metrics, progress, scrape };
}

/** `name{labels}` → value, for every sample line. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return map;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StreamwardenMetrics', () => {
  it('exposes one state series per state, desired, health and the progress figures of each stream', async () => {
    const { progress, scrape, clock } = setup();
    progress(3); // running since the first block; 25 frames and 125,000 bytes per second
    const m = await scrape();
    expect(m.get('streamwarden_stream_state{stream="cam",state="running"}')).toBe(1);
    expect(m.get('streamwarden_stream_state{stream="cam",state="starting"}')).toBe(0);
    expect(m.get('streamwarden_stream_state{stream="idle",state="stopped"}')).toBe(1);
    for (const state of ['stopped', 'starting', 'running', 'backoff', 'stopping', 'crashloop']) {
      expect(m.has(`streamwarden_stream_state{stream="idle",state="${state}"}`)).toBe(true);
    }
    expect(m.get('streamwarden_stream_desired_running{stream="cam"}')).toBe(1);
    expect(m.get('streamwarden_stream_desired_running{stream="idle"}')).toBe(0);
    expect(m.get('streamwarden_stream_healthy{stream="cam"}')).toBe(1);
    expect(m.get('streamwarden_stream_health{stream="cam",health="healthy"}')).toBe(1);
    expect(m.get('streamwarden_stream_health{stream="idle",health="unknown"}')).toBe(1);
    expect(m.get('streamwarden_stream_healthy{stream="idle"}')).toBe(0);
    expect(m.get('streamwarden_stream_uptime_seconds{stream="cam"}')).toBe(2);
    expect(m.get('streamwarden_stream_fps{stream="cam"}')).toBe(25);
    expect(m.get('streamwarden_stream_speed_ratio{stream="cam"}')).toBe(1);
    expect(m.get('streamwarden_stream_output_bytes_per_second{stream="cam"}')).toBe(125_000);
    expect(m.get('streamwarden_stream_last_progress_timestamp_seconds{stream="cam"}')).toBe(clock.now() / 1_000);
    expect(m.has('streamwarden_stream_last_progress_timestamp_seconds{stream="idle"}')).toBe(false);
    expect(m.get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(75);
    expect(m.get('streamwarden_stream_output_bytes_total{stream="cam"}')).toBe(375_000);
    expect(m.get('streamwarden_stream_fps{stream="idle"}')).toBe(0);
    expect(m.get('streamwarden_build_info{version="1.2.3",node="' + process.version + '"}')).toBe(1);
  });

  it('writes each family once, with HELP and TYPE, and counters end in _total', async () => {
    const { metrics, progress } = setup();
    progress(2);
    const text = await metrics.render();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] ?? '', match[2] ?? ''] as const);
    const names = types.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const [name, type] of types) {
      expect(text).toContain(`# HELP ${name} `);
      expect(name.startsWith('streamwarden_')).toBe(true);
      if (type === 'counter') expect(name.endsWith('_total')).toBe(true);
      else expect(name.endsWith('_total')).toBe(false);
    }
    // A family's samples are contiguous: once another family starts, its name does not come back.
    const order = text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => /^[a-z_]+/.exec(line)?.[0] ?? '')
      .map((name) => name.replace(/_(bucket|sum|count)$/, ''));
    const blocks = order.filter((name, i) => i === 0 || order[i - 1] !== name);
    expect(new Set(blocks).size).toBe(blocks.length);
  });

  it('counts restarts by reason, and frames and bytes across runs (each run starts from zero)', async () => {
    const { runner, progress, scrape } = setup();
    progress(3);
    expect((await scrape()).get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(75);
    runner.last.exit({ code: 1, signal: null }); // crashed after progress: "exited", restarted at once
    progress(2);
    let m = await scrape();
    expect(m.get('streamwarden_stream_restarts_total{stream="cam",reason="exited"}')).toBe(1);
    expect(m.get('streamwarden_stream_restarts_total{stream="cam",reason="killed"}')).toBe(0);
    expect(m.get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(125);
    expect(m.get('streamwarden_stream_output_bytes_total{stream="cam"}')).toBe(625_000);
    runner.last.exit({ code: null, signal: 'SIGSEGV' });
    m = await scrape();
    expect(m.get('streamwarden_stream_restarts_total{stream="cam",reason="killed"}')).toBe(1);
    expect(m.get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(125); // not lower between runs
    expect(m.get('streamwarden_stream_state{stream="cam",state="backoff"}')).toBe(1);
    expect(m.get('streamwarden_stream_backoff_delay_seconds{stream="cam"}')).toBe(1);
    expect(m.get('streamwarden_stream_fps{stream="cam"}')).toBe(0);
  });

  it('times recoveries from the failure to running again, by cause, and keeps the first failure of a series', async () => {
    const { runner, clock, progress, scrape } = setup();
    progress(2);
    runner.last.exit({ code: 1, signal: null }); // exited → starting at once
    clock.advance(1_500);
    runner.last.progress(); // running again after 1.5 s
    let m = await scrape();
    expect(m.get('streamwarden_recovery_duration_seconds_bucket{le="1",cause="exited"}')).toBe(0);
    expect(m.get('streamwarden_recovery_duration_seconds_bucket{le="2",cause="exited"}')).toBe(1);
    expect(m.get('streamwarden_recovery_duration_seconds_sum{cause="exited"}')).toBe(1.5);
    expect(m.get('streamwarden_recovery_duration_seconds_count{cause="stalled"}')).toBe(0);

    runner.last.exit({ code: null, signal: 'SIGKILL' }); // killed → backoff 1 s
    clock.advance(1_000); // → starting
    runner.last.exit({ code: 1, signal: null }); // fails to start → backoff 2 s
    clock.advance(2_000);
    clock.advance(500);
    runner.last.progress(); // running 3.5 s after the SIGKILL
    m = await scrape();
    expect(m.get('streamwarden_recovery_duration_seconds_count{cause="killed"}')).toBe(1);
    expect(m.get('streamwarden_recovery_duration_seconds_sum{cause="killed"}')).toBe(3.5);
    expect(m.get('streamwarden_recovery_duration_seconds_count{cause="failed-to-start"}')).toBe(0);
    expect(m.has('streamwarden_recovery_duration_seconds_count{cause="stopped"}')).toBe(false);
  });

  it('times the watchdog\'s recoveries by their failure cause', async () => {
    const { metrics, scrape } = setup();
    metrics.recordRecovery('check-failed', 42);
    metrics.recordRecovery('crashed', Number.NaN); // ignored
    const m = await scrape();
    expect(m.get('streamwarden_recovery_duration_seconds_count{cause="check-failed"}')).toBe(1);
    expect(m.get('streamwarden_recovery_duration_seconds_sum{cause="check-failed"}')).toBe(42);
    expect(m.has('streamwarden_recovery_duration_seconds_count{cause="crashed"}')).toBe(false);
  });

  it('samples CPU and memory in the background, counts CPU across runs and never reads /proc at scrape time', async () => {
    const { runner, reader, metrics, clock, progress, scrape } = setup();
    progress(1);
    const first = runner.last.pid ?? 0;
    reader.stats.set(first, { cpuSeconds: 2.5, residentBytes: 50_000_000, startTicks: 100 });
    metrics.start(); // samples at once, then every 5 s
    await metrics.whenSamplerIdle();
    let m = await scrape();
    expect(m.get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(2.5);
    expect(m.get('streamwarden_process_resident_memory_bytes{stream="cam"}')).toBe(50_000_000);
    expect(m.get('streamwarden_process_cpu_seconds_total{stream="idle"}')).toBe(0);
    expect(m.has('streamwarden_process_resident_memory_bytes{stream="idle"}')).toBe(false);
    expect(m.has('streamwarden_process_cpu_usage_ratio{stream="cam"}')).toBe(false); // needs two samples

    reader.stats.set(first, { cpuSeconds: 4, residentBytes: 60_000_000, startTicks: 100 });
    clock.advance(4_999);
    await metrics.whenSamplerIdle();
    expect((await scrape()).get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(2.5);
    clock.advance(1);
    await metrics.whenSamplerIdle();
    expect((await scrape()).get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(4);
    expect((await scrape()).get('streamwarden_process_cpu_usage_ratio{stream="cam"}')).toBeCloseTo(0.3); // 1.5 CPU s in 5 s

    runner.last.exit({ code: 1, signal: null }); // a new process, whose CPU time starts at zero
    m = await scrape();
    expect(m.get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(4);
    expect(m.has('streamwarden_process_resident_memory_bytes{stream="cam"}')).toBe(false);
    const second = runner.last.pid ?? 0;
    reader.stats.set(second, { cpuSeconds: 1, residentBytes: 40_000_000, startTicks: 900 });
    clock.advance(5_000);
    await metrics.whenSamplerIdle();
    m = await scrape();
    expect(m.get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(5);
    expect(m.get('streamwarden_process_resident_memory_bytes{stream="cam"}')).toBe(40_000_000);

    // The same pid with another start time is another process: ignored.
    reader.stats.set(second, { cpuSeconds: 99, residentBytes: 1, startTicks: 901 });
    clock.advance(5_000);
    await metrics.whenSamplerIdle();
    expect((await scrape()).get('streamwarden_process_cpu_seconds_total{stream="cam"}')).toBe(5);

    const reads = reader.reads;
    for (let i = 0; i < 3; i++) await scrape();
    expect(reader.reads).toBe(reads);
    metrics.close();
    clock.advance(60_000);
    expect(reader.reads).toBe(reads);
  });

  it('reports recorded checks of streams wanted running, and the built-in progress check', async () => {
    const { metrics, clock, progress, scrape } = setup();
    progress(2);
    metrics.recordCheck('cam', 'output', false, 0.3);
    metrics.recordCheck('cam', 'not-configured', true, 0.1);
    metrics.recordCheck('idle', 'output', true, 0.2);
    metrics.recordCheck('ghost', 'output', true, 0.2);
    let m = await scrape();
    expect(m.get('streamwarden_check_success{stream="cam",check="output"}')).toBe(0);
    expect(m.get('streamwarden_check_last_duration_seconds{stream="cam",check="output"}')).toBe(0.3);
    expect(m.get('streamwarden_check_success{stream="cam",check="progress"}')).toBe(1);
    expect(m.has('streamwarden_check_success{stream="cam",check="not-configured"}')).toBe(false);
    expect([...m.keys()].some((key) => key.includes('stream="idle",check='))).toBe(false);
    expect([...m.keys()].some((key) => key.includes('ghost'))).toBe(false);
    expect(m.get('streamwarden_check_duration_seconds_count{check="output"}')).toBe(1);
    expect(m.has('streamwarden_check_duration_seconds_count{check="not-configured"}')).toBe(false);
    expect(m.get('streamwarden_check_duration_seconds_bucket{le="0.25",check="output"}')).toBe(0);
    expect(m.get('streamwarden_check_duration_seconds_bucket{le="0.5",check="output"}')).toBe(1);

    metrics.recordCheck('cam', 'output', true, 0.05);
    clock.advance(6_000); // no progress for 6 s: the stall timeout (10 s) has not fired yet
    m = await scrape();
    expect(m.get('streamwarden_check_success{stream="cam",check="output"}')).toBe(1);
    expect(m.get('streamwarden_check_success{stream="cam",check="progress"}')).toBe(0);

    metrics.clearChecks('cam');
    expect((await scrape()).has('streamwarden_check_success{stream="cam",check="output"}')).toBe(false);
  });

  it('drops every series of a removed stream; a stream added again under that id starts from zero', async () => {
    const { supervisor, runner, progress, scrape } = setup();
    progress(3);
    expect((await scrape()).get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(75);
    const removing = supervisor.remove('cam');
    await flush();
    runner.last.exit({ code: 255, signal: null });
    await removing;
    let m = await scrape();
    expect([...m.keys()].filter((key) => key.includes('stream="cam"'))).toEqual([]);
    expect(m.get('streamwarden_stream_state{stream="idle",state="stopped"}')).toBe(1);

    supervisor.add(spec('cam'));
    progress(1);
    m = await scrape();
    expect(m.get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(25);
  });

  it('counts notifications and shows engine health, with no engine series until one is known', async () => {
    const { metrics, scrape } = setup();
    let m = await scrape();
    expect([...m.keys()].some((key) => key.startsWith('streamwarden_engine_healthy{'))).toBe(false);
    metrics.setEngineHealth('engine-1', 'healthy');
    metrics.setEngineHealth('engine-2', 'unhealthy');
    metrics.setEngineHealth('engine-3', 'unknown');
    metrics.countNotification('ops', 'sent');
    metrics.countNotification('ops', 'sent');
    metrics.countNotification('ops', 'rate-limited');
    m = await scrape();
    expect(m.get('streamwarden_engine_healthy{engine="engine-1"}')).toBe(1);
    expect(m.get('streamwarden_engine_healthy{engine="engine-2"}')).toBe(0);
    expect(m.has('streamwarden_engine_healthy{engine="engine-3"}')).toBe(false);
    expect(m.get('streamwarden_notifications_total{notifier="ops",result="sent"}')).toBe(2);
    expect(m.get('streamwarden_notifications_total{notifier="ops",result="rate-limited"}')).toBe(1);
    metrics.removeEngine('engine-2');
    expect((await scrape()).has('streamwarden_engine_healthy{engine="engine-2"}')).toBe(false);
  });

  it('never shows a URL, a key or an error text', async () => {
    const { runner, metrics, progress } = setup();
    progress(2);
    runner.last.stderr(`rtmp://127.0.0.1/live/${KEY}: Connection refused\n`);
    runner.last.exit({ code: 1, signal: null });
    const text = await metrics.render();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('rtmp://');
    expect(text).not.toContain('Connection refused');
    expect(text).not.toContain('user:pw');
  });

  it('picks up streams that were already running when the metrics were attached', async () => {
    const clock = new FakeClock();
    const runner = new FakeProcessRunner();
    const supervisor = new Supervisor([spec('cam')], {
      clock,
      runner,
      ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
      logger: silentLogger,
      redact: (t) => t,
      random: () => 0.5,
    });
    supervisor.startDesired();
    clock.advance(1_000);
    runner.last.progress(50);
    const metrics = new StreamwardenMetrics({ supervisor, clock, processStats: new FakeStatsReader(), defaultMetrics: false });
    expect(samples(await metrics.render()).get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(50);
    runner.last.exit({ code: 1, signal: null });
    clock.advance(1_000);
    runner.last.progress(10);
    expect(samples(await metrics.render()).get('streamwarden_stream_output_frames_total{stream="cam"}')).toBe(60);
  });

  it('adds the daemon\'s own process and Node.js metrics under streamwarden_daemon_', async () => {
    const clock = new FakeClock();
    const supervisor = new Supervisor([], {
      clock,
      runner: new FakeProcessRunner(),
      ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
      logger: silentLogger,
      redact: (t) => t,
      random: () => 0.5,
    });
    const metrics = new StreamwardenMetrics({ supervisor, clock, processStats: new FakeStatsReader() });
    const text = await metrics.render();
    expect(text).toContain('# TYPE streamwarden_daemon_process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE streamwarden_daemon_nodejs_eventloop_lag_seconds gauge');
    expect(text).toMatch(/^streamwarden_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+/m);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    // prom-client's gauges named like counters (promtool rejects them) are left out.
    expect(text).not.toMatch(/^# TYPE \S+_total (gauge|untyped)$/m);
  });
});
