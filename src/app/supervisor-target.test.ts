/** The reconciler driving a real Supervisor (fake process runner, fake clock). */
import { describe, expect, it } from 'vitest';
import { spec } from '../../test/contract/store-fixtures.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { DesiredEntry } from '../reconcile/diff.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { supervisorTarget } from './supervisor-target.js';

async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function setup() {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const supervisor = new Supervisor([], {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact: (t) => t,
    random: () => 0.5,
  });
  let desired = new Map<string, DesiredEntry>();
  const reconciler = new Reconciler({
    target: supervisorTarget(supervisor),
    readDesired: () => Promise.resolve(new Map(desired)),
    clock,
    logger: silentLogger,
    ready: Promise.resolve(),
  });
  const want = (...entries: Array<[string, DesiredState, Partial<StreamSpec>?]>) => {
    desired = new Map(entries.map(([id, state, overrides]) => [id, { spec: spec(id, { ...overrides, desired: state }), desired: state }]));
  };
  /** Lets every signalled process exit, as ffmpeg does after SIGINT. */
  const exitSignalled = () => {
    for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
  };
  const pid = (id: string) => supervisor.get(id).status().pid;
  return { clock, runner, supervisor, reconciler, want, exitSignalled, pid };
}

describe('supervisorTarget', () => {
  it('lists what the supervisor has: spec, its desired state, observed state', () => {
    const t = setup();
    t.supervisor.add(spec('a'));
    t.supervisor.add(spec('b', { desired: 'stopped' }));
    const listed = supervisorTarget(t.supervisor).list();
    expect([...listed.keys()]).toEqual(['a', 'b']);
    expect(listed.get('a')).toMatchObject({ desired: 'running', observed: 'starting' });
    expect(listed.get('b')).toMatchObject({ desired: 'stopped', observed: 'stopped' });
  });

  it('rejects (never throws) an add of a stream that exists', async () => {
    const t = setup();
    t.supervisor.add(spec('a'));
    await expect(supervisorTarget(t.supervisor).add(spec('a'))).rejects.toThrow(/already exists/);
  });

  it('the reconciler adds, stops, starts, updates and removes through the supervisor; kept streams keep their process', async () => {
    const t = setup();
    t.want(['a', 'running'], ['b', 'running'], ['c', 'stopped']);
    t.reconciler.start();
    await flush();
    expect(t.supervisor.list().map((s) => [s.spec.id, s.desired])).toEqual([['a', 'running'], ['b', 'running'], ['c', 'stopped']]);
    expect(t.runner.spawned).toHaveLength(2);
    const pidA = t.pid('a');

    t.want(['a', 'running'], ['b', 'stopped'], ['c', 'running'], ['d', 'running']);
    await t.reconciler.reconcileNow();
    await flush();
    t.exitSignalled();
    await flush();
    expect(t.supervisor.get('b').observed).toBe('stopped');
    expect(t.supervisor.get('c').desired).toBe('running');
    expect(t.pid('a')).toBe(pidA);

    t.want(['a', 'running', { stallTimeoutMs: 20_000 }], ['c', 'running'], ['d', 'running']);
    await t.reconciler.reconcileNow();
    await flush();
    t.exitSignalled();
    await flush();
    expect(t.supervisor.has('b')).toBe(false);
    expect(t.supervisor.get('a').spec.stallTimeoutMs).toBe(20_000);
    expect(t.pid('a')).not.toBe(pidA);
    expect(t.supervisor.get('a').desired).toBe('running');

    // Converged: another pass asks for nothing.
    expect((await t.reconciler.reconcileNow())?.launched).toEqual([]);
    await t.reconciler.close();
  });
});
