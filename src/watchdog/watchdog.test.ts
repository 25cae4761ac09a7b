/**
 * The watchdog shell on a fake clock: real Supervisor and lifecycle, fake processes, fake probes,
 * a fake RTMP server. The seed scenarios of the watchdog issue, played through the shell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY } from '../domain/stream-spec.js';
import { ffprobeCheck, KEY, outputUrl, pipeline, spec, watchdogHarness, type WatchdogHarness } from '../../test/helpers/watchdog-harness.js';

const S = 1_000;
let h: WatchdogHarness | undefined;

function harness(...args: Parameters<typeof watchdogHarness>): WatchdogHarness {
  h = watchdogHarness(...args);
  return h;
}

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const healthLog = (x: WatchdogHarness, stream = 'cam') => x.health.filter((e) => e.streamId === stream).map((e) => `${e.from}→${e.to}`);
const actions = (x: WatchdogHarness) => x.recoveries.flatMap((e) => (e.phase === 'action' ? [e.action] : []));
const since = (x: WatchdogHarness, start: number) => (x.clock.now() - start) / S;

/** A process check of the CPU: one failure (above 90 % for 30 s) trips it. */
const CPU_CHECK = {
  type: 'process' as const,
  name: 'cpu',
  intervalMs: 5 * S,
  timeoutMs: 2 * S,
  informational: false,
  failureThreshold: 1,
  successThreshold: 1,
  settings: { maxCpuPercent: 90, forMs: 30 * S },
};

describe('stream health from the checks (one source of truth)', () => {
  it('is unknown until the checks have a verdict, healthy while they pass, unhealthy once the threshold trips', async () => {
    const x = harness([spec('cam', { startTimeoutMs: 5 * S, onUnhealthy: [], checks: [ffprobeCheck('out', 'cam', { unhealthyAfterMs: 9 * S })] })]);
    const stream = x.supervisor.get('cam');
    expect(stream.status().health).toBe('unknown');
    await x.run(1_000);
    expect(stream.status()).toMatchObject({ state: 'running', health: 'healthy' });
    expect(healthLog(x)).toEqual(['unknown→healthy']);

    x.probe('cam', 'out').outcome = { ok: false, message: 'rtmp://127.0.0.1/live/x: Input/output error', durationMs: 200 };
    const failingFrom = x.clock.now();
    await x.run(10_000);
    // Failing since the probe that began at 3 s (the first success ended the start grace): not yet 9 s.
    expect(stream.status().health).toBe('healthy');
    await x.run(2_500);
    expect(stream.status()).toMatchObject({ health: 'unhealthy', healthReason: 'out: rtmp://127.0.0.1/live/***: Input/output error' }); // redacted
    expect(healthLog(x)).toEqual(['unknown→healthy', 'healthy→unhealthy']);
    const view = x.watchdog.view('cam');
    expect(view?.report.failing).toMatchObject([{ name: 'out', type: 'ffprobe', consecutiveFailures: 4 }]);
    expect(since(x, failingFrom)).toBeLessThan(15);

    x.probe('cam', 'out').outcome = { ok: true, durationMs: 200 };
    await x.run(3_000);
    expect(stream.status().health).toBe('healthy');
    expect(x.checkResults.filter((r) => r.check === 'out').map((r) => r.success)).toContain(false);
    expect(actions(x)).toEqual([]); // onUnhealthy is empty: reported, never acted on
  });

  it('an informational check is reported but never changes the health nor triggers an action', async () => {
    const x = harness([spec('cam', { startTimeoutMs: 2 * S, checks: [ffprobeCheck('out', 'cam', { informational: true, unhealthyAfterMs: 3 * S })] })]);
    x.probe('cam', 'out').outcome = { ok: false, message: 'no streams', durationMs: 100 };
    await x.run(20_000);
    expect(x.supervisor.get('cam').status().health).toBe('healthy');
    expect(x.watchdog.view('cam')?.report.informational).toMatchObject([{ name: 'out', message: 'no streams' }]);
    expect(actions(x)).toEqual([]);
  });
});

describe('motherstream: ffprobe every 3 s, 30 s without a success → drop publisher, next in the queue, reset', () => {
  const SOURCES = ['rtmp://127.0.0.1/src/dj1', 'rtmp://127.0.0.1/src/dj2', 'rtmp://127.0.0.1/src/dj3'];
  const mother = () =>
    pipeline('mother', SOURCES, {
      rtmpServer: 'local',
      onUnhealthy: ['notify', 'drop-publisher'],
      failover: { mode: 'rotate', returnAfterMs: 60 * S, probeIntervalMs: 10 * S, probeTimeoutMs: 5 * S },
      stallTimeoutMs: 120 * S,
      checks: [ffprobeCheck('output', 'mother')], // 3 s, 10 s timeout, 30 s continuous failure: the defaults
    });

  it('drops the publisher (by name) after 30 s of continuous failure; the next source goes live; health resets', async () => {
    const x = harness([mother()]);
    x.server.publish('live', `mother-${KEY}`, 'c1');
    x.server.publish('live', 'somebody-else', 'c2');
    await x.run(40_000); // past the 30 s start grace
    expect(x.supervisor.get('mother').status().health).toBe('healthy');
    expect(x.proc('mother').request.args).toContain(SOURCES[0]);

    const probe = x.probe('mother', 'output');
    probe.outcome = { ok: false, message: 'rtmp://127.0.0.1/live/mother-xyz: Input/output error', durationMs: 2_800 };
    const deadAt = x.clock.now();
    await x.run(29_000);
    expect(actions(x)).toEqual([]);
    expect(x.supervisor.get('mother').status().health).toBe('healthy');
    await x.run(6_000);
    expect(actions(x)).toEqual(['drop-publisher', 'next-input']);
    expect(x.notifications.map((n) => `${n.kind}:${n.severity}`)).toEqual(['unhealthy:warning', 'input-switch:warning']);
    expect(x.server.drops).toEqual([{ app: 'live', name: `mother-${KEY}`, clientId: 'c1', bytesIn: 1_000 }]);
    expect(x.server.publishers.map((p) => p.clientId)).toEqual(['c2']); // never every publisher of the app
    const detected = x.recoveries.find((e) => e.phase === 'action');
    expect(since(x, deadAt)).toBeGreaterThanOrEqual(30);
    expect(detected !== undefined && (detected.at - deadAt) / S).toBeGreaterThanOrEqual(30);
    expect(detected !== undefined && (detected.at - deadAt) / S).toBeLessThan(35);

    // The next source in the queue runs; the failed check stays failing until it passes again,
    // so the stream is not healthy (nor its alert resolved) before the output is really back.
    expect(x.supervisor.get('mother').activeInput).toBe(1);
    expect(x.proc('mother').request.args).toContain(SOURCES[1]);
    expect(x.watchdog.view('mother')?.checks.find((c) => c.name === 'output')?.status).toBe('failing');
    probe.outcome = { ok: true, message: 'video h264, audio aac', durationMs: 2_800 };
    await x.run(8_000);
    expect(x.supervisor.get('mother').status().health).toBe('healthy');
    const recovered = x.recoveries.find((e) => e.phase === 'recovered');
    expect(recovered?.phase === 'recovered' && recovered.record).toMatchObject({
      stream: 'mother',
      locus: 'output',
      cause: 'check-failed',
      action: 'drop-publisher',
    });
    expect(x.notifications.at(-1)).toMatchObject({ kind: 'recovered', severity: 'info' });
    expect(JSON.stringify([x.recoveries, x.notifications])).not.toContain(KEY);
  });

  it('a single success inside the 30 s resets the timer', async () => {
    const x = harness([mother()]);
    x.server.publish('live', `mother-${KEY}`, 'c1');
    await x.run(40_000);
    const probe = x.probe('mother', 'output');
    probe.outcome = { ok: false, message: 'Input/output error', durationMs: 200 };
    await x.run(24_000);
    probe.outcome = { ok: true, durationMs: 200 }; // one probe gets through
    await x.run(3_000);
    probe.outcome = { ok: false, message: 'Input/output error', durationMs: 200 };
    const lastSuccess = x.watchdog.view('mother')?.checks.find((c) => c.name === 'output')?.lastSuccessAt ?? 0;
    await x.run(29_000);
    expect(actions(x)).toEqual([]); // 56 s of failures, but never 30 s without a success
    await x.run(5_000);
    expect(actions(x)).toEqual(['drop-publisher', 'next-input']);
    const dropAt = x.recoveries.find((e) => e.phase === 'action')?.at ?? 0;
    expect((dropAt - lastSuccess) / S).toBeGreaterThanOrEqual(30);
  });
});

describe('no pile-up: 100 streams, each with a check every 3 s whose probe takes 5 s', () => {
  it('runs at most one probe per check at a time, skips beats instead of queueing, and never serialises streams', async () => {
    const specs = Array.from({ length: 100 }, (_, i) => spec(`s${i}`, { checks: [ffprobeCheck('out', `s${i}`)] }));
    const x = harness(specs);
    for (const { probe } of x.probes) probe.outcome = { ok: true, durationMs: 5_000 };
    let peak = 0;
    for (let t = 0; t < 60_000; t += 500) {
      await x.run(500);
      peak = Math.max(peak, x.probes.reduce((sum, { probe }) => sum + probe.active, 0));
    }
    expect(x.probes).toHaveLength(100);
    for (const { probe } of x.probes) {
      expect(probe.maxActive).toBe(1);
      expect(probe.runs).toBeGreaterThanOrEqual(9);
      expect(probe.runs).toBeLessThanOrEqual(11);
    }
    expect(peak).toBe(100); // all streams probe at the same time: no global lock, no queue
    const view = x.watchdog.view('s42');
    expect(view?.checks.find((c) => c.name === 'out')?.skippedBeats).toBeGreaterThan(5);
  });
});

describe('VistterStream: kill ffmpeg 12 times — the fast layer gives up, the watchdog recovers and records it', () => {
  it('takes over the crash loop with slow retries, alerts, and records the recovery', async () => {
    const restart = { ...DEFAULT_RESTART_POLICY, backoffMaxMs: 20 * S, budget: { restarts: 10, withinMs: 10 * 60 * S } };
    const x = harness([spec('cam', { restart, startTimeoutMs: 5 * S })]);
    await x.run(3_000);
    const firstKill = x.clock.now();
    let kills = 0;
    const spawnsAfterCrashloop: number[] = [];
    while (kills < 12) {
      const stream = x.supervisor.get('cam');
      if (stream.observed === 'running' && stream.status().uptimeSeconds >= 1) {
        x.proc('cam').exit({ code: null, signal: 'SIGKILL' }); // killed by someone else
        kills += 1;
      }
      const before = x.runner.spawned.length;
      await x.run(100);
      if (kills >= 11 && x.runner.spawned.length > before) spawnsAfterCrashloop.push(x.clock.now());
      expect(x.clock.now() - firstKill).toBeLessThan(5 * 60 * S);
    }
    expect(x.supervisor.get('cam').observed).toBe('crashloop');
    // The fast layer spent its budget: 10 restarts with backoff, then the 11th kill is a crash loop.
    expect(x.notifications.filter((n) => n.kind === 'crashloop').map((n) => n.severity)).toContain('critical');
    // The 12th run was started by the watchdog's slow retry (the fast layer's own is a later backstop).
    const watchdogRestarts = x.recoveries.filter((e) => e.phase === 'action' && e.action === 'restart');
    expect(watchdogRestarts.length).toBe(1);

    await x.run(25_000); // the slow retry after the 12th kill; nobody kills it any more
    const stream = x.supervisor.get('cam');
    expect(stream.status()).toMatchObject({ state: 'running', health: 'healthy' });
    // One recovery per crash-loop episode (the stream was healthy again after each slow retry).
    const recovered = x.recoveries.flatMap((e) => (e.phase === 'recovered' ? [e] : []));
    const records = recovered.filter((e) => e.layer === undefined).map((e) => e.record);
    expect(records).toHaveLength(2);
    // And one for each of the fast layer's 10 restarts (healthy again before the next kill).
    const fast = recovered.filter((e) => e.layer === 'fast').map((e) => e.record);
    expect(fast).toHaveLength(10);
    expect(fast.every((r) => r.cause === 'crashed' && r.locus === 'encoder' && r.action === 'restart' && r.recoveredAfterMs !== undefined)).toBe(true);
    expect(fast[0]?.actions[0]?.reason).toMatch(/^fast layer: run killed \(killed by SIGKILL\); restarted at once$/);
    const record = records.at(-1);
    expect(record).toMatchObject({ stream: 'cam', locus: 'encoder', cause: 'crashed', action: 'restart' });
    // Alerted when it took over, then a slow retry with a notice.
    expect(record?.actions.map((a) => a.type)).toEqual(['notify', 'restart', 'notify']);
    expect(record?.actions[1]?.reason).toMatch(/^fast layer in crash loop for \d+ s \(process is in crashloop\): slow retry every 20 s$/);
    expect(record?.detectedAfterMs).toBeGreaterThan(0); // from the first restart in the budget window
    expect(record?.recoveredAfterMs).toBeGreaterThanOrEqual(20 * S);
    expect(x.recordedRecoveries.map((r) => r.cause)).toEqual(['crashed', 'crashed']);
    expect(x.notifications.at(-1)).toMatchObject({ kind: 'recovered', severity: 'info' });
    const status = x.watchdog.view('cam');
    expect(status?.recoveryCount).toBe(2);
    expect(status?.recoveries[0]).toMatchObject({ locus: 'encoder', action: 'restart' });
  });
});

describe('radio: frozen, bitrate collapse, CPU', () => {
  const progressCheck = (overrides: Record<string, unknown> = {}) => ({
    type: 'progress' as const,
    name: 'progress',
    intervalMs: S,
    timeoutMs: S,
    informational: false,
    unhealthyAfterMs: 10 * S,
    successThreshold: 1,
    settings: {},
    ...overrides,
  });

  it('a frozen stream: the progress check shows it unhealthy, the fast layer (not the watchdog) kills and restarts it', async () => {
    const x = harness([spec('radio', { stallTimeoutMs: 6 * S, checks: [progressCheck({ unhealthyAfterMs: 2 * S })] })]);
    await x.run(5_000);
    expect(x.supervisor.get('radio').status().health).toBe('healthy');
    const frozenPid = x.supervisor.get('radio').status().pid;
    x.freeze('radio');
    await x.run(5_000);
    expect(x.supervisor.get('radio').status()).toMatchObject({ state: 'running', health: 'unhealthy' });
    expect(x.supervisor.get('radio').status().healthReason).toMatch(/^progress: no advancing progress for \d s$/);
    x.thaw('radio');
    await x.run(4_000);
    const stream = x.supervisor.get('radio');
    expect(stream.runs()[1]).toMatchObject({ pid: frozenPid, reason: 'stalled' });
    expect(stream.status()).toMatchObject({ state: 'running', health: 'healthy' });
    expect(healthLog(x, 'radio')).toEqual(['unknown→healthy', 'healthy→unhealthy', 'unhealthy→unknown', 'unknown→healthy']);
    expect(actions(x)).toEqual([]); // stall is the fast layer's
  });

  it('a bitrate collapse is degraded: a warning, no restart', async () => {
    const degraded = { bitrate: { forMs: 15 * S } };
    const x = harness([spec('radio', { checks: [progressCheck({ settings: { degraded } })] })]);
    await x.run(60_000); // warm-up 10 s, baseline learned over 30 s
    expect(x.supervisor.get('radio').status().health).toBe('healthy');
    x.setBytesPerSecond('radio', 500); // near silence: 4 kb/s instead of 1 Mb/s
    await x.run(15_000);
    expect(x.supervisor.get('radio').status().health).toBe('healthy'); // the 5 s rate window, then 15 s held
    await x.run(6_000);
    const status = x.supervisor.get('radio').status();
    expect(status.health).toBe('degraded');
    expect(status.healthReason).toMatch(/^degraded: bitrate 4 kb\/s below 20 % of baseline (9\d\d kb\/s|1 Mb\/s) for 1\d s$/);
    expect(x.notifications.map((n) => `${n.kind}:${n.severity}`)).toEqual(['degraded:warning']);
    await x.run(60_000);
    expect(x.runner.spawned).toHaveLength(1);
    expect(actions(x)).toEqual([]);
    x.setBytesPerSecond('radio', undefined);
    await x.run(8_000);
    expect(x.supervisor.get('radio').status().health).toBe('healthy');
    expect(x.notifications.map((n) => `${n.kind}:${n.severity}`)).toEqual(['degraded:warning', 'degraded-resolved:info']);
  });

  it('a CPU threshold held too long makes the process check fail: unhealthy, restart, recorded as an encoder failure', async () => {
    const x = harness([spec('radio', { startTimeoutMs: 5 * S, checks: [CPU_CHECK] })]);
    await x.run(10_000);
    x.probe('radio', 'cpu').outcome = { ok: false, message: 'process 1000: cpu 250.0% above 90% for 30 s', durationMs: 10 };
    await x.run(6_000);
    expect(actions(x)).toEqual(['restart']);
    expect(x.notifications).toEqual([]); // `notify` is the next rung: only if the restart does not help
    expect(x.runner.spawned).toHaveLength(2);
    x.probe('radio', 'cpu').outcome = { ok: true, message: 'process 1001 running, cpu 20.0%', durationMs: 10 };
    await x.run(10_000);
    const recovered = x.recoveries.find((e) => e.phase === 'recovered');
    expect(recovered?.phase === 'recovered' && recovered.record).toMatchObject({
      locus: 'encoder',
      cause: 'check-failed',
      action: 'restart',
      detail: 'cpu: process 1000: cpu 250.0% above 90% for 30 s',
    });
  });
});

describe('a fault a restart cannot cure', () => {
  it('the failed check stays failing across the restart (no healthy on progress alone); uncured restarts reach crashloop', async () => {
    const x = harness([spec('radio', { startTimeoutMs: 5 * S, checks: [CPU_CHECK] })]);
    const states: string[] = [];
    x.supervisor.events.on('state', (e) => states.push(e.to));
    await x.run(10_000);
    x.probe('radio', 'cpu').outcome = { ok: false, message: 'cpu 250.0% above 90% for 30 s', durationMs: 10 };
    await x.run(6_000);
    expect(actions(x)).toEqual(['restart']);
    await x.run(2_000); // the new run makes progress: still unhealthy, its check has not passed again
    expect(x.supervisor.get('radio').observed).toBe('running');
    expect(x.supervisor.get('radio').status().health).toBe('unhealthy');
    expect(x.watchdog.view('radio')?.checks.find((c) => c.name === 'cpu')?.status).toBe('failing');
    // It never passes: the watchdog's restarts spend the budget (5 allowed) and the next failure is crashloop.
    await x.run(8 * 60_000);
    expect(states).toContain('crashloop');
    expect(x.supervisor.get('radio').status().health).not.toBe('healthy');
  });
});

describe('the recovery ladder in the shell', () => {
  it('escalates restart → drop-publisher → next-input → notify, one cooldown apart, acting for real at each rung', async () => {
    const x = harness([
      pipeline('cam', ['rtmp://127.0.0.1/src/a', 'rtmp://127.0.0.1/src/b'], {
        startTimeoutMs: 5 * S,
        rtmpServer: 'local',
        onUnhealthy: ['restart', 'drop-publisher', 'next-input', 'notify'],
        checks: [ffprobeCheck('out', 'cam', { unhealthyAfterMs: 9 * S })],
      }),
    ]);
    x.server.publish('live', `cam-${KEY}`, 'c7');
    x.inputProbe('rtmp://127.0.0.1/src/a').outcome = { ok: false, message: 'Input/output error', durationMs: 100 }; // no way back
    await x.run(10_000);
    x.probe('cam', 'out').outcome = { ok: false, message: 'Input/output error', durationMs: 100 };
    const start = x.clock.now();
    await x.run(200_000);
    const log = x.recoveries.flatMap((e) => (e.phase === 'action' ? [`${Math.round((e.at - start) / S)} ${e.action}`] : []));
    // Unhealthy 9 s after the first failure; each later rung waits for the 60 s cooldown.
    expect(log.slice(0, 3).map((line) => line.split(' ')[1])).toEqual(['restart', 'drop-publisher', 'next-input']);
    const times = log.map((line) => Number(line.split(' ')[0]));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(60);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(60);
    expect(x.server.drops.map((p) => p.clientId)).toEqual(['c7']);
    expect(x.supervisor.get('cam').activeInput).toBe(1);
    const kinds = x.notifications.map((n) => n.kind);
    expect(kinds).toContain('unhealthy');
    expect(kinds).toContain('input-switch');
  });

  it('an API restart suppresses judgement for the grace period', async () => {
    const x = harness([spec('cam', { startTimeoutMs: 5 * S, checks: [ffprobeCheck('out', 'cam', { unhealthyAfterMs: 3 * S })] })]);
    await x.run(10_000);
    x.probe('cam', 'out').outcome = { ok: false, message: 'Input/output error', durationMs: 100 };
    await x.supervisor.restart('cam');
    await x.run(29_000);
    expect(actions(x)).toEqual([]); // 30 s grace after an intentional restart
    expect(x.supervisor.get('cam').status().health).toBe('unhealthy');
    await x.run(3_000);
    expect(actions(x)).toEqual(['restart']);
  });
});

describe('fallback inputs', () => {
  const PRIMARY = 'rtmp://127.0.0.1/src/primary';
  const failover = { mode: 'priority' as const, returnAfterMs: 10 * S, probeIntervalMs: 2 * S, probeTimeoutMs: 1_500 };

  it('an input that cannot be opened fails over at once; the primary is probed and taken back once healthy long enough', async () => {
    const x = harness([pipeline('radio', [PRIMARY, 'lavfi:sine=frequency=440'], { failover })]);
    await x.run(3_000);
    expect(x.proc('radio').request.args).toContain(PRIMARY);
    x.inputProbe(PRIMARY).outcome = { ok: false, message: 'Input/output error', durationMs: 300 };
    x.proc('radio').stderr(`[in#0 @ 0x1] Error opening input: Input/output error\n${PRIMARY}: Input/output error\n`);
    x.proc('radio').exit({ code: 1, signal: null });
    await x.run(1_000);
    const stream = x.supervisor.get('radio');
    expect(stream.activeInput).toBe(1);
    expect(x.proc('radio').request.args).toContain('sine=frequency=440');
    expect(x.notifications.map((n) => `${n.kind}:${n.severity}`)).toEqual(['input-switch:warning']);
    await x.run(20_000);
    expect(stream.activeInput).toBe(1); // the primary still fails its probes
    expect(x.watchdog.view('radio')?.input?.probes[0]).toMatchObject({ lastOk: false });

    x.inputProbe(PRIMARY).outcome = { ok: true, durationMs: 300 };
    const back = x.clock.now();
    await x.run(9_000);
    expect(stream.activeInput).toBe(1);
    await x.run(4_000);
    expect(stream.activeInput).toBe(0);
    expect((x.clock.now() - back) / S).toBeGreaterThanOrEqual(10);
    expect(x.proc('radio').request.args).toContain(PRIMARY);
    expect(x.notifications.at(-1)).toMatchObject({ kind: 'input-switch', severity: 'info', title: 'radio is back on input 0' });
    await x.run(3_000);
    expect(stream.status()).toMatchObject({ state: 'running', health: 'healthy' });
  });

  it('a run that ends for an unclear reason gets its input probed: a failed probe fails it over', async () => {
    const x = harness([pipeline('radio', [PRIMARY, 'lavfi:sine'], { failover })]);
    await x.run(3_000);
    x.inputProbe(PRIMARY).outcome = { ok: false, message: 'Input/output error', durationMs: 500 };
    x.proc('radio').exit({ code: 0, signal: null }); // end of input, nothing said
    await x.run(1_000);
    expect(x.supervisor.get('radio').activeInput).toBe(1);
    expect(x.recoveries.find((e) => e.phase === 'action')).toMatchObject({ action: 'next-input', fromInput: 0, toInput: 1 });
  });
});

describe('stale sessions', () => {
  it('"Already publishing": drops the session that holds our name, then republishes at once', async () => {
    const x = harness([spec('cam', { rtmpServer: 'local' })], { staleSessionTimeoutMs: 5_000 });
    x.server.publish('live', `cam-${KEY}`, 'stale-1');
    const refuse = () => {
      x.proc('cam').stderr(`[rtmp @ 0x1] Server error: Already publishing\n${outputUrl('cam')}: Operation not permitted\n`);
      x.proc('cam').exit({ code: 1, signal: null });
    };
    refuse(); // first start: immediate restart
    await x.run(100);
    refuse(); // second: backoff
    expect(x.supervisor.get('cam').observed).toBe('backoff');
    await x.run(500);
    expect(x.server.drops.map((p) => p.clientId)).toEqual(['stale-1']);
    expect(actions(x)).toEqual(['drop-stale-session']);
    expect(x.supervisor.get('cam').observed).toBe('starting'); // republished without waiting out the backoff
    await x.run(2_000);
    expect(x.supervisor.get('cam').status()).toMatchObject({ state: 'running', health: 'healthy' });
  });
});

describe('streams added, updated and removed', () => {
  it('gives a new stream its watchdog, a changed one a fresh watchdog, and stops a removed one', async () => {
    const x = harness([spec('cam', { checks: [ffprobeCheck('out', 'cam')] })]);
    await x.run(2_000);
    const first = x.probe('cam', 'out');
    x.supervisor.add(spec('new', { checks: [ffprobeCheck('out', 'new')] }));
    await x.run(2_000);
    expect(x.watchdog.view('new')?.checks.map((c) => c.name)).toEqual(['progress', 'out']);

    const updating = x.supervisor.update(spec('cam', { checks: [ffprobeCheck('out', 'cam', { intervalMs: 1_000 })] }));
    await x.run(500);
    await updating;
    await x.run(2_000);
    const second = x.probe('cam', 'out');
    expect(second).not.toBe(first);
    const runsBefore = first.runs;
    await x.run(5_000);
    expect(first.runs).toBe(runsBefore); // the old watchdog's checks stopped
    expect(x.watchdog.view('cam')?.checkIntervalMs).toBe(1_000);

    const removing = x.supervisor.remove('new');
    await x.run(500);
    await removing;
    expect(x.watchdog.view('new')).toBeUndefined();
    const newProbe = x.probe('new', 'out');
    const runs = newProbe.runs;
    await x.run(10_000);
    expect(newProbe.runs).toBe(runs);
    expect(newProbe.active).toBe(0);
  });
});
