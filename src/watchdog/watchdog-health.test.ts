/**
 * The watchdog shell on a fake clock: real Supervisor and lifecycle, fake processes, fake probes,
 * a fake RTMP server. The seed scenarios of the watchdog issue, played through the shell: health from the checks, no probe pile-up, and the radio scenarios (frozen, bitrate, CPU).
 */
import { describe, expect, it } from 'vitest';
import { ffprobeCheck, spec } from '../../test/helpers/watchdog-harness.js';
import { S, actions, CPU_CHECK, harnessPerTest, healthLog, since } from '../../test/helpers/watchdog-shell.js';

const harness = harnessPerTest();

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
