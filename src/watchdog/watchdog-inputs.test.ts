/**
 * The watchdog shell on a fake clock: real Supervisor and lifecycle, fake processes, fake probes,
 * a fake RTMP server. The seed scenarios of the watchdog issue, played through the shell: fallback inputs, stale sessions, and streams added, updated and removed.
 */
import { describe, expect, it } from 'vitest';
import { ffprobeCheck, KEY, outputUrl, pipeline, spec } from '../../test/helpers/watchdog-harness.js';
import { S, actions, harnessPerTest } from '../../test/helpers/watchdog-shell.js';

const harness = harnessPerTest();

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
