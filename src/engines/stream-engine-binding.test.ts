import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { testStreamSpec } from '../../test/fakes/stream-spec.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { InMemoryEngineRepository } from './engine-repository.js';
import { EngineRegistry } from './engine-registry.js';
import { boundStreamsOf } from '../app/engine-pool.js';
import { StreamEngineBinding, type EngineMoved, type EngineWaiting } from './stream-engine-binding.js';

const engine = (id: string, overrides: Partial<EngineSpec> = {}): EngineSpec => ({
  id,
  host: `10.0.0.${id.charCodeAt(0) - 96}`,
  port: 6878,
  kind: 'acestream',
  capacity: 1,
  labels: {},
  ...overrides,
});

const onPool = (id: string, labels: Record<string, string> = {}, desired: StreamSpec['desired'] = 'running'): StreamSpec =>
  testStreamSpec(id, { desired, source: { kind: 'args', args: ['-i', 'http://{engine}/ace/getstream?id=1', '-f', 'null', '-'] }, engine: { labels } });

function setup(engines: EngineSpec[], options: { repository?: InMemoryEngineRepository; claimPrefix?: string } = {}) {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  let n = 0;
  const registry = new EngineRegistry({
    clock,
    health: { graceMs: 0, failureThreshold: 1, successThreshold: 1 },
    newClaimId: () => `${options.claimPrefix ?? 'claim'}-${++n}`,
    ...(options.repository && { repository: options.repository }),
  });
  for (const e of engines) registry.add(e, 'config');
  const binding = new StreamEngineBinding({ registry, clock, logger: silentLogger });
  const supervisor = new Supervisor([], {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact: (t) => t,
    random: () => 0.5,
    prepareSource: (spec) => binding.prepare(spec),
  });
  const moves: EngineMoved[] = [];
  const waits: EngineWaiting[] = [];
  binding.events.on('engine-moved', (e) => moves.push(e));
  binding.events.on('engine-waiting', (e) => waits.push(e));
  const healthy = (id: string) => registry.recordPoll(id, { kind: 'ok', at: clock.now(), durationMs: 1, message: 'ok' });
  const unhealthy = (id: string) => registry.recordPoll(id, { kind: 'failed', at: clock.now(), durationMs: 1, message: 'HTTP 500' });
  const exitSignalled = () => {
    for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
  };
  const attach = () => binding.attach(boundStreamsOf(supervisor));
  return { clock, runner, registry, binding, supervisor, moves, waits, healthy, unhealthy, exitSignalled, attach };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const inputOf = (args: readonly string[]) => args[args.indexOf('-i') + 1];

describe('StreamEngineBinding', () => {
  it('starts a stream on the least recently used healthy engine matching its labels, the claim naming the stream', () => {
    const h = setup([engine('a', { labels: { region: 'us' } }), engine('b', { labels: { region: 'eu' } }), engine('c', { labels: { region: 'eu' } })]);
    h.attach();
    for (const id of ['a', 'b', 'c']) h.healthy(id);
    h.clock.advance(1_000);
    h.supervisor.add(onPool('cam', { region: 'eu' }));
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.2:6878/ace/getstream?id=1');
    expect(h.registry.get('b')).toMatchObject({ lastStreamUsage: h.clock.now(), claims: [{ stream: 'cam', supervised: true }] });
    expect(h.binding.engineOf('cam')).toBe('b');
    // The next one gets the other eu engine: b is taken (capacity 1).
    h.supervisor.add(onPool('cam2', { region: 'eu' }));
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.3:6878/ace/getstream?id=1');
  });

  it('never spawns without an engine: the stream waits with a clear last error and starts once an engine turns healthy', async () => {
    const h = setup([engine('a')]);
    h.attach();
    h.supervisor.add(onPool('cam'));
    expect(h.runner.spawned).toHaveLength(0);
    const status = h.supervisor.get('cam').status();
    expect(status.lastError).toMatch(/^no engine available: none of the 1 matching engines is healthy/);
    expect(['backoff', 'starting']).toContain(status.state);
    expect(h.waits.length).toBeGreaterThan(0);
    // The policy's retries keep waiting (still nothing healthy), never spawning.
    h.clock.advance(5_000);
    expect(h.runner.spawned).toHaveLength(0);
    h.healthy('a');
    await flush();
    expect(h.runner.spawned).toHaveLength(1);
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.1:6878/ace/getstream?id=1');
  });

  it('moves a stream whose engine turns unhealthy to another engine and restarts it there, once', async () => {
    const h = setup([engine('a'), engine('b')]);
    h.attach();
    h.healthy('a');
    h.supervisor.add(onPool('cam'));
    h.healthy('b');
    const first = h.runner.last;
    first.progress();
    h.unhealthy('a');
    await flush();
    expect(first.signals).toEqual(['SIGINT']);
    h.exitSignalled();
    expect(h.runner.spawned).toHaveLength(2);
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.2:6878/ace/getstream?id=1');
    expect(h.moves).toEqual([{ streamId: 'cam', from: 'a', to: 'b', reason: 'its engine is unhealthy', at: h.clock.now() }]);
    expect(h.registry.get('a').claims).toEqual([]);
    expect(h.registry.get('b').claims).toMatchObject([{ stream: 'cam' }]);
  });

  it('keeps a stream on its unhealthy engine while there is nowhere to go, and moves it when an engine turns healthy', async () => {
    const h = setup([engine('a'), engine('b')]);
    h.attach();
    h.healthy('a');
    h.supervisor.add(onPool('cam'));
    h.unhealthy('a');
    await flush();
    expect(h.runner.last.signals).toEqual([]);
    expect(h.moves).toEqual([]);
    h.healthy('b');
    await flush();
    h.exitSignalled();
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.2:6878/ace/getstream?id=1');
    expect(h.moves).toMatchObject([{ from: 'a', to: 'b' }]);
  });

  it('moves a stream off an engine that is removed (a reload that no longer lists it), or strands it until one turns healthy', async () => {
    const h = setup([engine('a'), engine('b'), engine('c')]);
    h.attach();
    h.healthy('a');
    h.supervisor.add(onPool('cam'));
    h.healthy('b');
    h.runner.last.progress();
    h.registry.replaceConfigEngines([engine('b'), engine('c')]);
    await flush();
    h.exitSignalled();
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.2:6878/ace/getstream?id=1');
    expect(h.moves).toMatchObject([{ streamId: 'cam', from: 'a', to: 'b', reason: 'its engine was removed' }]);
    // Now b goes too, and c has not answered yet: the stream stays where it is until c is healthy.
    h.registry.replaceConfigEngines([engine('c')]);
    await flush();
    expect(h.moves).toHaveLength(1);
    h.healthy('c');
    await flush();
    h.exitSignalled();
    expect(inputOf(h.runner.last.request.args)).toBe('http://10.0.0.3:6878/ace/getstream?id=1');
    expect(h.moves.at(-1)).toMatchObject({ from: 'b', to: 'c', reason: 'its engine was removed' });
    expect(h.registry.get('c').claims).toMatchObject([{ stream: 'cam' }]);
  });

  it('releases the engine when the stream stops or is removed', async () => {
    const h = setup([engine('a', { capacity: 2 })]);
    h.attach();
    h.healthy('a');
    h.supervisor.add(onPool('cam'));
    h.supervisor.add(onPool('cam2'));
    expect(h.registry.get('a').claims).toHaveLength(2);
    const stopping = h.supervisor.stop('cam');
    await flush();
    h.exitSignalled();
    await stopping;
    expect(h.registry.get('a').claims.map((c) => c.stream)).toEqual(['cam2']);
    const removing = h.supervisor.remove('cam2');
    await flush();
    h.exitSignalled();
    await removing;
    expect(h.registry.get('a').claims).toEqual([]);
  });

  it('takes back a claim stored before a daemon restart and keeps the engine while its health is not known yet', async () => {
    const repository = new InMemoryEngineRepository();
    const before = setup([engine('a'), engine('b')], { repository });
    before.attach();
    before.healthy('a');
    before.supervisor.add(onPool('cam'));
    const claim = before.registry.get('a').claims[0];

    // A new daemon: the registry loads the store; engine health is unknown until polled. Its
    // store also holds the claim of a stream removed while the daemon was down.
    const after = setup([], { repository, claimPrefix: 'later' });
    await after.registry.load();
    after.healthy('b');
    const stale = after.registry.acquireOrThrow({ stream: 'gone', supervised: true });
    after.attach();
    after.supervisor.add(onPool('cam'));
    expect(inputOf(after.runner.last.request.args)).toBe('http://10.0.0.1:6878/ace/getstream?id=1');
    expect(after.registry.get('a').claims).toEqual([claim]);
    after.binding.releaseOrphans();
    expect(after.registry.engineOfClaim(stale.claimId)).toBeUndefined();
    expect(after.registry.get('a').claims).toEqual([claim]);
  });
});
