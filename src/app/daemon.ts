/**
 * Composition root: builds every part of the daemon, starts them in order and stops them in
 * reverse through one teardown (app/parts.ts). Only app/ constructs adapters.
 *
 * Read it top to bottom: the store and the desired-state sources first (they fill the store
 * before any stream is known), then the stream layers (supervisor, watchdog, engine pool), the
 * observers (events, metrics, notifications), the reconcile loop and the HTTP API; then the list
 * of parts, whose order is the start order and, reversed, the stop order.
 */
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { createLogger } from '../adapters/logger.js';
import { procfsReader } from '../adapters/procfs.js';
import { storeRunRegistry } from '../adapters/store-run-registry.js';
import { systemClock } from '../adapters/system-clock.js';
import type { Config } from '../config/types.js';
import { windowsForUnknownStreams } from '../domain/alerts/routing.js';
import { createRedactor } from '../domain/redact.js';
import { EventJournal } from '../events/event-journal.js';
import { buildApp } from '../http/app.js';
import { streamPersistence } from '../http/stream-persistence.js';
import { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import { Reconciler, storeDesired, type DesiredReader } from '../reconcile/reconciler.js';
import { settlingTarget } from '../reconcile/settling-target.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { adoptAtBoot, bootSpecs } from './boot-adoption.js';
import type { Daemon, DaemonOptions } from './daemon-api.js';
import { DesiredSources } from './desired-sources.js';
import { boundStreamsOf, createEnginePool } from './engine-pool.js';
import { recordEvents } from './event-log.js';
import { locateTools } from './ffmpeg-tools.js';
import { healthComponents, type DaemonPhase } from './health-components.js';
import { Heartbeat } from './heartbeat.js';
import { Notifications } from './notifications.js';
import { Parts } from './parts.js';
import { StoreLifecycle } from './store-lifecycle.js';
import { chooseRunners } from './runners.js';
import { supervisorTarget } from './supervisor-target.js';
import { createWatchdog } from './watchdog.js';

export type { Daemon, DaemonOptions } from './daemon-api.js';

export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const redact = createRedactor(config.secrets);
  const logger = options.logger ?? createLogger({ redact });
  const clock = options.clock ?? systemClock;
  const random = () => randomInt(0, 1_000_000) / 1_000_000;
  const tools = await locateTools(config.ffmpeg, logger);
  let phase: DaemonPhase = 'starting';

  // The store, and the sources that write the desired set into it before any stream is known.
  const storePath = resolvePath(process.cwd(), config.storage.path);
  const store = await StoreLifecycle.open({ path: storePath, clock, logger, ...(options.storeRetryMs !== undefined && { retryMs: options.storeRetryMs }) });
  const sources = new DesiredSources({ config, configPath: options.configPath, env: options.env ?? process.env, clock, logger, redact });
  const firstStore = store.current();
  if (firstStore) await sources.attach(firstStore);

  // The streams: created stopped from the stored desired set when their processes may have
  // survived the last daemon (adopted before anything starts); else the reconciler adds them.
  const runners = chooseRunners(options.runner, firstStore && storePath, clock, logger);
  const registry = runners.fifo ? storeRunRegistry(() => store.current(), logger) : undefined;
  const supervisor = new Supervisor(runners.fifo && firstStore ? await bootSpecs(firstStore, logger) : [], {
    clock,
    runner: runners.runner,
    ffmpeg: tools.ffmpeg,
    logger,
    redact,
    random,
    ...(registry && { registry }),
    // Streams on an engine pool get their engine here; called on spawn, once the pool exists.
    prepareSource: (spec) => enginePool.binding.prepare(spec),
  });
  const journal = new EventJournal({ clock, redact, onListenerError: (error) => logger.error({ err: error }, 'an event subscriber failed') });
  journal.follow(supervisor.events);
  const metrics = new StreamwardenMetrics({ supervisor, clock, logger, processStats: procfsReader() });
  const watchdog = createWatchdog({ config, streams: supervisor, clock, logger, redact, metrics, random, ffmpegPath: tools.ffmpeg.path, ffprobePath: tools.ffprobePath });
  journal.followWatchdog(watchdog.events);
  recordEvents({ journal, watchdogEvents: watchdog.events, store: () => store.current(), clock, logger });

  const streamSpec = (id: string) => (supervisor.has(id) ? supervisor.get(id).spec : undefined);
  const notifications = new Notifications({
    config,
    clock,
    logger,
    redact,
    metrics,
    streamSpec,
    streamEvents: supervisor.events,
    streamRemoved: (listener) => supervisor.streamChanges.on('removed', (e) => listener(e.streamId)),
    watchdogEvents: watchdog.events,
  });
  store.onWritability((trouble) => notifications.storeWritability(storePath, trouble));
  if (config.notifiers.length > 0 && !firstStore) logger.warn({}, 'the store is unavailable: no notifications are sent until it opens');
  // The engine pool: config engines (replaced on start and reload), API engines, usage and claims
  // kept in the store; health polled in the background, transitions alerted, streams moved.
  const enginePool = await createEnginePool({
    polling: config.enginePolling,
    configEngines: sources.engines,
    clock,
    store: () => store.current(),
    metrics,
    logger,
    journal,
    alerts: () => notifications.alerts,
    streams: boundStreamsOf(supervisor),
    streamName: (id) => streamSpec(id)?.name ?? id,
  });
  sources.onEngines((specs) => enginePool.registry.replaceConfigEngines(specs));

  // The reconcile loop feeds the supervisor from the store's desired set, once boot adoption is done.
  const ready = runners.fifo && firstStore ? adoptAtBoot({ store: firstStore, supervisor, runner: runners.fifo, clock, logger }) : Promise.resolve();
  const configDesired = new Map(config.streams.map((spec) => [spec.id, { spec, desired: spec.desired }]));
  const readDesired: DesiredReader = () => {
    const open = store.current();
    return open ? storeDesired(open)() : Promise.resolve(configDesired);
  };
  const target = settlingTarget(supervisorTarget(supervisor));
  const reconciler = new Reconciler({ target, readDesired, clock, logger, ready });
  sources.onChange((reason) => reconciler.trigger(reason));
  store.onLateOpen(async (opened) => {
    await sources.attach(opened);
    await enginePool.registry.loadLate(sources.engines);
    await notifications.open(opened);
    reconciler.trigger('store-opened');
  });

  const heartbeat = new Heartbeat(clock, 1_000);
  const app = buildApp({
    metrics,
    supervisor,
    clock,
    health: healthComponents({
      heartbeat,
      phase: () => phase,
      streamsConfigured: config.streams.length,
      storePath,
      storeTrouble: () => store.trouble(),
      reconcilePasses: () => reconciler.status().passes,
      streams: () => supervisor.list(),
      now: () => clock.now(),
      failOnCrashloop: config.server.readinessFailsOnCrashloop,
    }),
    journal,
    redact,
    watchdog,
    engines: enginePool.registry,
    engineOf: (id) => enginePool.binding.engineOf(id),
    references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
    persistence: streamPersistence({ store: () => store.current(), reconciler, target, readDesired }),
    isShuttingDown: () => phase === 'stopping',
    ...(config.server.token ? { token: config.server.token } : {}),
  });

  let url = '';
  const listen = async (): Promise<void> => {
    await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
    url = listenUrl(config.server.host, app.server.address(), config.server.port);
    logger.info({ url, dashboard: `${url}/`, streams: config.streams.length }, 'streamwarden is listening');
  };

  // Start order; the stop order is its reverse.
  const parts = new Parts(logger);
  await parts.start([
    // Desired state is never rewritten at shutdown: only the store is closed, last.
    { name: 'store', start: () => store.start(), stop: () => store.close() },
    { name: 'notifications', start: () => firstStore && notifications.open(firstStore), stop: () => notifications.close() },
    // Last of the streams: one a request still in flight (a PUT) may have started; then the
    // runtime entries of the stopped runs are cleared before the store closes.
    { name: 'supervisor', stop: async () => { await supervisor.stopAll(); await registry?.flush(); } },
    { name: 'metrics', start: () => metrics.start(), stop: () => metrics.close() },
    { name: 'heartbeat', start: () => heartbeat.start(), stop: () => heartbeat.stop() },
    // After the streams stopped (which released their engines): nothing is handed out any more.
    { name: 'engine binding', stop: () => enginePool.binding.close() },
    // The API answers (not ready, changes refused) while the streams stop, and closes after them.
    { name: 'http', start: () => listen(), stop: () => app.close() },
    { name: 'streams', stop: () => { logger.info({}, 'stopping every stream'); return supervisor.stopAll(); } },
    // Nothing restarts a stream that is being stopped.
    { name: 'watchdog', start: () => watchdog.start(), stop: () => watchdog.stop() },
    // Stopping is not an incident: alerts and engine moves stop being followed first.
    { name: 'following', start: () => notifications.follow(), stop: () => { notifications.stopFollowing(); return enginePool.stopFollowing(); } },
    { name: 'engine polling', start: () => enginePool.startPolling() },
    {
      name: 'reconciler',
      start: async () => {
        await ready;
        reconciler.start();
        // The first pass launches every start; the streams exist in the supervisor once it returns.
        await reconciler.reconcileNow();
        enginePool.binding.releaseOrphans();
      },
      stop: () => reconciler.close(),
    },
    // The file and the controller are followed last and stop first: nothing starts a stream from then on.
    { name: 'sources', start: () => sources.start(), stop: () => sources.close() },
  ]);
  for (const window of windowsForUnknownStreams(config.maintenance, (id) => supervisor.has(id), clock.now())) {
    logger.warn({ stream: window.stream, start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() }, 'a maintenance window names a stream no source has (yet): check its id');
  }
  phase = 'running';

  let stopping: Promise<void> | undefined;
  return {
    supervisor,
    watchdog,
    journal,
    metrics,
    logger,
    url,
    reconciler,
    store: () => store.current(),
    processesSurviveExit: runners.fifo !== undefined,
    killAllSync: () => runners.killAllSync(),
    reload: () => sources.reload(),
    stop: () =>
      (stopping ??= (async () => {
        // Not ready from here on (/readyz 503, changes refused), but still answering while the streams stop.
        phase = 'stopping';
        await parts.stop();
        logger.info({}, 'all streams stopped');
      })()),
  };
}

function listenUrl(host: string, address: string | AddressInfo | null, configured: number): string {
  const port = typeof address === 'object' && address ? address.port : configured;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
