/**
 * The watchdog shell on a fake clock: real Supervisor and lifecycle, fake processes, fake probes,
 * a fake RTMP server. The seed scenarios of the watchdog issue, played through the shell: the recovery scenarios: motherstream, the crash loop (VistterStream), an uncured fault, the ladder.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY } from '../domain/stream-spec.js';
import { ffprobeCheck, KEY, pipeline, spec } from '../../test/helpers/watchdog-harness.js';
import { S, actions, CPU_CHECK, harnessPerTest, since } from '../../test/helpers/watchdog-shell.js';

const harness = harnessPerTest();

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
