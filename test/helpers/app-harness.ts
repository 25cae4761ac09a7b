/**
 * The HTTP app over a real Supervisor driven by a fake clock and fake processes, with the real
 * write path (an in-memory SQLite store, the reconciler, the StreamService), for route tests with
 * `inject` (no network, no sleeping):
 *
 *   const h = await appHarness();
 *   h.runFor('cam', 3);                 // three progress blocks, one second apart
 *   const res = await h.app.inject('/api/v1/streams/cam');
 */
import type { FastifyInstance } from 'fastify';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { supervisorTarget } from '../../src/app/supervisor-target.js';
import { createRedactor } from '../../src/domain/redact.js';
import type { StreamSpec } from '../../src/domain/stream-spec.js';
import { buildApp } from '../../src/http/app.js';
import { EventJournal } from '../../src/events/event-journal.js';
import { fail, pass, type HealthComponent } from '../../src/http/health-report.js';
import type { SseOptions } from '../../src/http/sse.js';
import { Reconciler, storeDesired } from '../../src/reconcile/reconciler.js';
import { settlingTarget } from '../../src/reconcile/settling-target.js';
import { StreamService } from '../../src/reconcile/stream-service.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeProcessRunner, type FakeProcess } from '../fakes/fake-process-runner.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { testStreamSpec } from '../fakes/stream-spec.js';

/** A configured secret (as if from `${CAM_KEY}`): masked wherever it appears. */
export const SECRET = 'S3cretStreamKey42';

export function streamSpec(id: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return testStreamSpec(id, {
    name: `Stream ${id}`,
    source: { kind: 'args', args: ['-re', '-i', 'in.mp4', '-f', 'flv', `rtmp://127.0.0.1/live/${id}-${SECRET}`] },
    onUnhealthy: ['restart'],
    ...overrides,
  });
}

/**
 * Yields to the event loop (never to a timer) until `condition` holds: lets an injected request
 * reach its handler. Throws after `turns` turns.
 */
export async function until(condition: () => boolean, description: string, turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`still waiting for ${description} after ${turns} event-loop turns`);
}

export interface AppHarnessOptions {
  readonly specs?: readonly StreamSpec[];
  readonly token?: string;
  readonly sse?: Partial<SseOptions>;
  /** Leave the streams unstarted (the daemon before its first reconcile). */
  readonly startStreams?: boolean;
  readonly journalCapacity?: number;
  /** The built dashboard to serve at / (default: the package's dist/web). */
  readonly webDir?: string;
  /** The engine each stream on a pool holds. */
  readonly engineOf?: (streamId: string) => string | undefined;
}

export interface AppHarness {
  readonly app: FastifyInstance;
  readonly clock: FakeClock;
  readonly runner: FakeProcessRunner;
  readonly supervisor: Supervisor;
  /** The streams as stored (owner `api`), which the reconciler applies. */
  readonly store: SqliteStore;
  readonly reconciler: Reconciler;
  readonly journal: EventJournal;
  /** Flip the daemon-level state the health components report. */
  readonly daemon: { live: boolean; phase: 'starting' | 'running' | 'stopping' };
  /** The newest process of a stream. */
  process(id: string): FakeProcess;
  /** `seconds` progress blocks for a stream, one second apart. */
  runFor(id: string, seconds: number): void;
  /** Lets every process that was signalled exit, as ffmpeg does after SIGINT. */
  exitSignalled(): void;
}

export async function appHarness(options: AppHarnessOptions = {}): Promise<AppHarness> {
  const clock = new FakeClock();
  const specs = options.specs ?? [streamSpec('cam'), streamSpec('idle', { desired: 'stopped' })];
  const store = await openSqliteStore({ path: ':memory:', clock });
  for (const spec of specs) await store.putStream({ spec, owner: 'api' });
  const runner = new FakeProcessRunner();
  const redact = createRedactor([SECRET, ...(options.token ? [options.token] : [])]);
  // As a daemon boots: the stored streams exist (stopped) before the first reconcile starts them.
  const supervisor = new Supervisor(specs, {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact,
    random: () => 0.5,
  });
  const journal = new EventJournal({ clock, redact, ...(options.journalCapacity !== undefined && { capacity: options.journalCapacity }) });
  journal.follow(supervisor.events);
  const daemon: AppHarness['daemon'] = { live: true, phase: 'running' };
  const health: HealthComponent[] = [
    { name: 'heartbeat', kind: 'liveness', check: () => (daemon.live ? pass('timers are firing') : fail('timers stopped')) },
    { name: 'reconcile', kind: 'readiness', check: () => (daemon.phase === 'starting' ? fail('starting') : pass('done')) },
    { name: 'shutdown', kind: 'readiness', check: () => (daemon.phase === 'stopping' ? fail('shutting down') : pass('no')) },
  ];
  const target = settlingTarget(supervisorTarget(supervisor));
  const readDesired = storeDesired(store);
  const reconciler = new Reconciler({ target, readDesired, clock, logger: silentLogger, ready: Promise.resolve() });
  if (options.startStreams === false) daemon.phase = 'starting';
  else {
    reconciler.start();
    await until(() => reconciler.status().ready, 'the reconciler to be ready');
    await reconciler.reconcileNow();
  }

  const app = buildApp({
    supervisor,
    clock,
    health,
    journal,
    redact,
    references: { rtmpServers: ['local'], notifiers: ['ops'] },
    isShuttingDown: () => daemon.phase === 'stopping',
    streams: new StreamService({ store: () => store, reconciler, target, readDesired }),
    ...(options.token !== undefined && { token: options.token }),
    ...(options.sse !== undefined && { sse: options.sse }),
    ...(options.webDir !== undefined && { webDir: options.webDir }),
    ...(options.engineOf !== undefined && { engineOf: options.engineOf }),
  });

  const process = (id: string): FakeProcess => {
    const pid = supervisor.get(id).runs()[0]?.pid;
    const proc = runner.spawned.find((p) => p.pid !== undefined && p.pid === pid);
    if (!proc) throw new Error(`no process for stream ${id}`);
    return proc;
  };
  return {
    app,
    clock,
    runner,
    supervisor,
    store,
    reconciler,
    journal,
    daemon,
    process,
    runFor: (id, seconds) => {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1_000);
        process(id).progress();
      }
    },
    exitSignalled: () => {
      for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
    },
  };
}

/** A StreamService for apps built only to read (no store: any write is refused with 503). */
export function readOnlyStreams(supervisor: Supervisor): StreamService {
  return new StreamService({
    store: () => undefined,
    reconciler: { reconcileNow: () => Promise.resolve(undefined) },
    target: settlingTarget(supervisorTarget(supervisor)),
    readDesired: () => Promise.resolve(new Map()),
  });
}
