import { describe, expect, it } from 'vitest';
import { spec } from '../../test/contract/store-fixtures.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import type { Logger } from '../ports/logger.js';
import type { DesiredEntry, ObservedEntry } from './diff.js';
import { Reconciler, type ReconcileTarget, type ReconcilerOptions } from './reconciler.js';

/** Lets promise callbacks run (no timers, no sleeping). */
async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A supervisor in miniature: applies actions at once unless told to hang or fail for a stream. */
class FakeTarget implements ReconcileTarget {
  readonly streams = new Map<string, ObservedEntry>();
  readonly calls: string[] = [];
  readonly hang = new Map<string, Deferred>();
  readonly fail = new Set<string>();

  list(): ReadonlyMap<string, ObservedEntry> {
    return new Map(this.streams);
  }

  add(s: StreamSpec): Promise<void> {
    return this.act(`add:${s.id}`, s.id, () => this.streams.set(s.id, { spec: s, desired: s.desired, observed: s.desired === 'running' ? 'running' : 'stopped' }));
  }

  update(s: StreamSpec): Promise<void> {
    return this.act(`update:${s.id}`, s.id, () => this.streams.set(s.id, { spec: s, desired: s.desired, observed: s.desired === 'running' ? 'running' : 'stopped' }));
  }

  remove(id: string): Promise<void> {
    return this.act(`remove:${id}`, id, () => this.streams.delete(id));
  }

  start(id: string): Promise<void> {
    return this.act(`start:${id}`, id, () => this.set(id, 'running'));
  }

  stop(id: string): Promise<void> {
    return this.act(`stop:${id}`, id, () => this.set(id, 'stopped'));
  }

  private set(id: string, desired: DesiredState): void {
    const current = this.streams.get(id);
    if (current) this.streams.set(id, { ...current, desired, observed: desired === 'running' ? 'running' : 'stopped' });
  }

  private async act(call: string, id: string, apply: () => void): Promise<void> {
    this.calls.push(call);
    const hang = this.hang.get(id);
    if (hang) await hang.promise;
    if (this.fail.has(id)) throw new Error(`${call} failed`);
    apply();
  }
}

function entry(id: string, desired: DesiredState = 'running', overrides: Partial<StreamSpec> = {}): [string, DesiredEntry] {
  return [id, { spec: spec(id, { ...overrides, desired }), desired }];
}

interface Logged {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

function recordingLogger(logged: Logged[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => logged.push({ level, obj, msg });
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}

function setup(options: Partial<ReconcilerOptions> = {}) {
  const clock = new FakeClock();
  const target = new FakeTarget();
  let desired = new Map<string, DesiredEntry>();
  let reads = 0;
  let readFails = false;
  const logged: Logged[] = [];
  const ready = deferred();
  const reconciler = new Reconciler({
    target,
    readDesired: () => {
      reads++;
      return readFails ? Promise.reject(new Error('the store is unavailable (read-only)')) : Promise.resolve(new Map(desired));
    },
    clock,
    logger: recordingLogger(logged),
    ready: ready.promise,
    ...options,
  });
  return {
    clock,
    target,
    reconciler,
    logged,
    ready,
    setDesired: (entries: Array<[string, DesiredEntry]>) => {
      desired = new Map(entries);
    },
    reads: () => reads,
    failReads: (fails: boolean) => {
      readFails = fails;
    },
  };
}

describe('Reconciler', () => {
  it('does nothing before the initial observation is complete, then converges', async () => {
    const t = setup();
    t.setDesired([entry('a'), entry('b', 'stopped')]);
    t.target.streams.set('old', { spec: spec('old'), desired: 'running', observed: 'running' });
    t.reconciler.start();
    t.reconciler.trigger();
    t.clock.advance(60_000);
    await flush();
    expect(t.reads()).toBe(0);
    expect(t.target.calls).toEqual([]);
    expect(await t.reconciler.reconcileNow()).toBeUndefined();

    t.ready.resolve();
    await flush();
    expect(t.target.calls.sort()).toEqual(['add:a', 'add:b', 'remove:old']);
    expect([...t.target.streams.keys()].sort()).toEqual(['a', 'b']);
    expect(t.reconciler.status()).toMatchObject({ ready: true, passes: 1, inFlight: [], failing: [] });
  });

  it('coalesces triggers within the debounce window into one pass', async () => {
    const t = setup({ debounceMs: 200 });
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    const before = t.reads();
    t.setDesired([entry('a')]);
    t.reconciler.trigger('file');
    t.clock.advance(100);
    t.reconciler.trigger('api');
    t.reconciler.trigger('controller');
    t.clock.advance(99);
    await flush();
    expect(t.reads()).toBe(before);
    t.clock.advance(1);
    await flush();
    expect(t.reads()).toBe(before + 1);
    expect(t.target.calls).toEqual(['add:a']);
  });

  it('resyncs every 30 s without any trigger (a lost trigger only delays convergence)', async () => {
    const t = setup();
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    t.setDesired([entry('a')]);
    t.clock.advance(29_999);
    await flush();
    expect(t.target.calls).toEqual([]);
    t.clock.advance(1);
    await flush();
    expect(t.target.calls).toEqual(['add:a']);
    t.clock.advance(30_000);
    await flush();
    expect(t.reconciler.status().passes).toBe(3);
    expect(t.target.calls).toEqual(['add:a']);
  });

  it('applies start, stop, update and remove, and keeps the rest untouched', async () => {
    const t = setup();
    t.target.streams.set('keep', { spec: spec('keep'), desired: 'running', observed: 'running' });
    t.target.streams.set('flip-on', { spec: spec('flip-on', { desired: 'stopped' }), desired: 'stopped', observed: 'stopped' });
    t.target.streams.set('flip-off', { spec: spec('flip-off'), desired: 'running', observed: 'running' });
    t.target.streams.set('edit', { spec: spec('edit'), desired: 'running', observed: 'running' });
    t.target.streams.set('gone', { spec: spec('gone'), desired: 'running', observed: 'running' });
    t.setDesired([entry('keep'), entry('flip-on'), entry('flip-off', 'stopped'), entry('edit', 'running', { name: 'edited' }), entry('new')]);
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    expect(t.target.calls.sort()).toEqual(['add:new', 'remove:gone', 'start:flip-on', 'stop:flip-off', 'update:edit']);
    expect(t.target.streams.get('edit')?.spec.name).toBe('edited');

    t.target.calls.length = 0;
    expect(await t.reconciler.reconcileNow()).toEqual({ launched: [], skipped: [], kept: 5 });
    expect(t.target.calls).toEqual([]);
  });

  it('a stop that hangs for one stream blocks neither the others nor later passes', async () => {
    const t = setup();
    for (const id of ['a', 'b', 'c']) t.target.streams.set(id, { spec: spec(id), desired: 'running', observed: 'running' });
    const hung = deferred();
    t.target.hang.set('b', hung);
    t.setDesired([entry('a', 'stopped'), entry('b', 'stopped'), entry('c', 'stopped')]);
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    expect(t.target.calls.sort()).toEqual(['stop:a', 'stop:b', 'stop:c']);
    expect(t.target.streams.get('a')?.desired).toBe('stopped');
    expect(t.target.streams.get('c')?.desired).toBe('stopped');
    expect(t.reconciler.status().inFlight).toEqual([{ id: 'b', kind: 'stop', since: t.clock.now() }]);

    // Later passes go on for the others and leave b to its action in flight.
    t.target.calls.length = 0;
    t.setDesired([entry('a'), entry('b', 'stopped'), entry('c', 'stopped'), entry('d')]);
    const report = await t.reconciler.reconcileNow();
    await flush();
    expect(report?.skipped).toEqual(['b']);
    expect(t.target.calls.sort()).toEqual(['add:d', 'start:a']);

    t.clock.advance(30_000);
    await flush();
    expect(t.logged.some((l) => l.level === 'warn' && l.msg?.includes('slow'))).toBe(true);

    // Once b's stop settles, b is looked at again (its desired state changed meanwhile).
    t.target.calls.length = 0;
    t.setDesired([entry('a'), entry('b'), entry('c', 'stopped'), entry('d')]);
    t.target.hang.delete('b');
    hung.resolve();
    await flush();
    t.clock.advance(200);
    await flush();
    expect(t.target.calls).toEqual(['start:b']);
    expect(t.reconciler.status().inFlight).toEqual([]);
  });

  it('logs a failed action, never throws, and retries it on a later pass', async () => {
    const t = setup({ retryMs: 5_000 });
    t.target.fail.add('a');
    t.setDesired([entry('a'), entry('b')]);
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    expect(t.target.streams.has('b')).toBe(true);
    expect(t.target.streams.has('a')).toBe(false);
    expect(t.reconciler.status().failing).toMatchObject([{ id: 'a', kind: 'add', error: 'add:a failed' }]);
    expect(t.logged.some((l) => l.level === 'error' && l.msg?.includes('add a failed'))).toBe(true);

    t.clock.advance(5_000);
    await flush();
    expect(t.target.calls.filter((c) => c === 'add:a')).toHaveLength(2);

    t.target.fail.delete('a');
    t.clock.advance(5_000);
    await flush();
    expect(t.target.streams.has('a')).toBe(true);
    expect(t.reconciler.status().failing).toEqual([]);
  });

  it('leaves every stream alone while the desired state cannot be read, and retries', async () => {
    const t = setup({ retryMs: 1_000 });
    t.target.streams.set('a', { spec: spec('a'), desired: 'running', observed: 'running' });
    t.failReads(true);
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    expect(t.target.calls).toEqual([]);
    expect(t.reconciler.status().readError).toContain('unavailable');

    t.failReads(false);
    t.setDesired([entry('a')]);
    t.clock.advance(1_000);
    await flush();
    expect(t.reconciler.status().readError).toBeUndefined();
    expect(t.target.calls).toEqual([]);
  });

  it('runs one pass at a time: a pass asked for during a pass runs right after it', async () => {
    const t = setup();
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    const passes = t.reconciler.status().passes;
    const first = t.reconciler.reconcileNow();
    t.setDesired([entry('a')]);
    const second = t.reconciler.reconcileNow();
    await Promise.all([first, second]);
    expect(t.reconciler.status().passes).toBe(passes + 2);
    expect(t.target.calls).toEqual(['add:a']);
  });

  it('stops after close: no timers left, triggers ignored', async () => {
    const t = setup();
    t.reconciler.start();
    t.ready.resolve();
    await flush();
    t.reconciler.trigger();
    await t.reconciler.close();
    expect(t.clock.armed).toBe(0);
    t.setDesired([entry('a')]);
    t.reconciler.trigger();
    t.clock.advance(60_000);
    await flush();
    expect(t.target.calls).toEqual([]);
  });

  it('reconciles even when the initial observation failed (logged)', async () => {
    const t = setup();
    t.setDesired([entry('a')]);
    t.reconciler.start();
    t.ready.reject(new Error('cannot read /proc'));
    await flush();
    expect(t.target.calls).toEqual(['add:a']);
    expect(t.logged.some((l) => l.level === 'error' && l.msg?.includes('initial observation failed'))).toBe(true);
  });

  it('works with the silent logger (smoke)', async () => {
    const clock = new FakeClock();
    const target = new FakeTarget();
    const reconciler = new Reconciler({ target, readDesired: () => Promise.resolve(new Map([entry('x')])), clock, logger: silentLogger, ready: Promise.resolve() });
    reconciler.start();
    await flush();
    expect(target.calls).toEqual(['add:x']);
    await reconciler.close();
  });
});
