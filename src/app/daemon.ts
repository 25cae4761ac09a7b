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
import { resolve as resolvePath } from 'node:path';
import { createLogger } from '../adapters/logger.js';
import { procfsReader } from '../adapters/procfs.js';
import { storeRunRegistry } from '../adapters/store-run-registry.js';
import { systemClock } from '../adapters/system-clock.js';
import type { Config } from '../config/types.js';
import { windowsForUnknownStreams } from '../domain/alerts/routing.js';
import { createRedactor } from '../domain/redact.js';
import { EventJournal } from '../events/event-journal.js';
import { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { adoptAtBoot, bootSpecs } from './boot-adoption.js';
import type { Daemon, DaemonOptions } from './daemon-api.js';
import { DesiredSources } from './desired-sources.js';
import { boundStreamsOf, createEnginePool } from './engine-pool.js';
import { recordEvents } from './event-log.js';
import { locateTools } from './ffmpeg-tools.js';
import type { DaemonPhase } from './health-components.js';
import { createHttpApi } from './http-api.js';
import { Heartbeat } from './heartbeat.js';
import { Notifications } from './notifications.js';
import { Parts } from './parts.js';
import { createReconcileLoop } from './reconcile-loop.js';
import { StoreLifecycle } from './store-lifecycle.js';
import { chooseRunners } from './runners.js';
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
  const loop = createReconcileLoop({ config, store: () => store.current(), supervisor, ready, clock, logger });
  const { reconciler } = loop;
  sources.onChange((reason) => reconciler.trigger(reason));
  store.onLateOpen(async (opened) => {
    await sources.attach(opened);
    await enginePool.registry.loadLate(sources.engines);
    await notifications.open(opened);
    reconciler.trigger('store-opened');
  });

  const heartbeat = new Heartbeat(clock, 1_000);
  const http = createHttpApi({ config, port: options.port, clock, logger, redact, phase: () => phase, heartbeat, store, storePath, supervisor, watchdog, journal, metrics, enginePool, loop });
  let url = '';

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
    { name: 'http', start: async () => { url = await http.listen(); }, stop: () => http.close() },
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
