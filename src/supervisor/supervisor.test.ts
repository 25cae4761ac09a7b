import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { IllegalTransitionError, StreamExistsError, UnknownStreamError } from '../domain/errors.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import { Supervisor } from './supervisor.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';

function spec(id: string, args: string[] = ['-i', 'a', '-f', 'null', '-']): StreamSpec {
  return testStreamSpec(id, { source: { kind: 'args', args } });
}

function setup(specs: StreamSpec[]) {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const supervisor = new Supervisor(specs, {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact: (t) => t,
    random: () => 0.5,
  });
  supervisor.startDesired();
  /** Lets every process that was signalled exit, as ffmpeg does after SIGINT. */
  const exitSignalled = () => {
    for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
  };
  return { clock, runner, supervisor, exitSignalled };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Supervisor', () => {
  it('adds a stream and starts it; refuses a duplicate id', () => {
    const { supervisor, runner } = setup([spec('a')]);
    supervisor.add(spec('b'));
    expect(runner.spawned).toHaveLength(2);
    expect(() => supervisor.add(spec('b'))).toThrow(StreamExistsError);
    expect(runner.spawned).toHaveLength(2);
  });

  it('leaves an unchanged stream alone and restarts a changed one with its new arguments', async () => {
    const { supervisor, runner, exitSignalled } = setup([spec('a')]);
    expect(await supervisor.update(spec('a'))).toBe('unchanged');
    expect(runner.spawned).toHaveLength(1);

    const updating = supervisor.update(spec('a', ['-i', 'b', '-f', 'null', '-']));
    await flush();
    expect(runner.spawned[0]?.signals).toEqual(['SIGINT']);
    exitSignalled();
    expect(await updating).toBe('updated');
    expect(runner.spawned).toHaveLength(2);
    expect(runner.last.request.args).toContain('b');
    expect(supervisor.get('a').observed).toBe('starting');
  });

  it('serialises concurrent changes to one stream', async () => {
    const { supervisor, runner, exitSignalled } = setup([spec('a')]);
    const first = supervisor.update(spec('a', ['-i', 'one', '-f', 'null', '-']));
    const second = supervisor.update(spec('a', ['-i', 'two', '-f', 'null', '-']));
    for (let i = 0; i < 5; i++) {
      await flush();
      exitSignalled();
    }
    expect(await first).toBe('updated');
    expect(await second).toBe('updated');
    expect(runner.spawned.map((p) => p.request.args.includes('two'))).toEqual([false, false, true]);
  });

  it('removes a stream after stopping it, and names an unknown one', async () => {
    const { supervisor, exitSignalled } = setup([spec('a')]);
    const removing = supervisor.remove('a');
    await flush();
    exitSignalled();
    await removing;
    expect(supervisor.has('a')).toBe(false);
    expect(() => supervisor.get('a')).toThrow(UnknownStreamError);
    await expect(supervisor.remove('a')).rejects.toThrow('no stream with id "a"');
  });

  it('start, stop and restart by id change the desired state; stop answers before the process has exited', async () => {
    const { supervisor, runner, exitSignalled } = setup([spec('a'), { ...spec('b'), desired: 'stopped' }]);
    expect((await supervisor.start('b')).observed).toBe('starting');
    expect(runner.spawned).toHaveLength(2);

    const stopped = await supervisor.stop('a');
    expect([stopped.desired, stopped.observed]).toEqual(['stopped', 'stopping']);
    exitSignalled();
    expect(stopped.observed).toBe('stopped');

    const restarted = await supervisor.restart('b');
    expect(restarted.observed).toBe('stopping');
    exitSignalled();
    expect(restarted.observed).toBe('starting');
    expect(runner.spawned).toHaveLength(3);
  });

  it('refuses to restart a stream that is wanted stopped, and names an unknown one', async () => {
    const { supervisor, runner } = setup([{ ...spec('a'), desired: 'stopped' }]);
    await expect(supervisor.restart('a')).rejects.toThrow(IllegalTransitionError);
    expect(runner.spawned).toHaveLength(0);
    expect(supervisor.get('a').desired).toBe('stopped');
    for (const action of ['start', 'stop', 'restart'] as const) {
      await expect(supervisor[action]('nope')).rejects.toThrow(UnknownStreamError);
    }
  });

  it('queues a start behind a running update of the same stream', async () => {
    const { supervisor, runner, exitSignalled } = setup([spec('a')]);
    const updating = supervisor.update({ ...spec('a', ['-i', 'new', '-f', 'null', '-']), desired: 'stopped' });
    const starting = supervisor.start('a');
    await flush();
    exitSignalled();
    expect(await updating).toBe('updated');
    expect((await starting).observed).toBe('starting');
    expect(runner.last.request.args).toContain('new');
  });

  it('tells the watchdog layer of streams added, updated and removed, and of every start / stop / restart asked for', async () => {
    const { supervisor, exitSignalled } = setup([spec('a')]);
    const seen: string[] = [];
    for (const name of ['added', 'updated', 'removed'] as const) supervisor.streamChanges.on(name, (e) => seen.push(`${name} ${e.streamId}`));
    supervisor.streamChanges.on('intent', (e) => seen.push(`${e.intent} ${e.streamId}`));
    supervisor.add(spec('b'));
    await supervisor.restart('a');
    exitSignalled();
    await supervisor.stop('a');
    await supervisor.start('a');
    const updating = supervisor.update(spec('b', ['-i', 'other', '-f', 'null', '-']));
    await flush();
    exitSignalled();
    await updating;
    await supervisor.update(spec('b', ['-i', 'other', '-f', 'null', '-'])); // unchanged: nothing to tell
    const removing = supervisor.remove('b');
    await flush();
    exitSignalled();
    await removing;
    expect(seen).toEqual(['added b', 'restart a', 'stop a', 'start a', 'updated b', 'removed b']);
  });
});
