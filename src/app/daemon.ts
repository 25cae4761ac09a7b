/**
 * Composition root: builds every part of the daemon, starts them in order and stops them in
 * reverse. Nothing else constructs adapters.
 */
import { randomInt } from 'node:crypto';
import path, { resolve as resolvePath } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { detectCapabilities } from '../adapters/ffmpeg/detect-capabilities.js';
import { locateFfmpeg, locateFfprobe } from '../adapters/ffmpeg/locate.js';
import { killAllGroupsSync, NodeProcessRunner } from '../adapters/ffmpeg/node-process-runner.js';
import { createLogger } from '../adapters/logger.js';
import { procfsReader } from '../adapters/procfs.js';
import { FifoProcessRunner } from '../adapters/process/fifo-process-runner.js';
import { ensureRoot } from '../adapters/process/runtime-dir.js';
import { notifierFromConfig } from '../adapters/notifiers/registry.js';
import { createRtmpServer } from '../adapters/rtmp/create-rtmp-server.js';
import { openSqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { storeRunRegistry } from '../adapters/store-run-registry.js';
import { systemClock } from '../adapters/system-clock.js';
import type { Config } from '../config/types.js';
import { windowsForUnknownStreams } from '../domain/alerts/routing.js';
import { createRedactor } from '../domain/redact.js';
import { DEFAULT_STOP_POLICY, type StreamSpec } from '../domain/stream-spec.js';
import { boundStreamsOf, createEnginePool } from './engine-pool.js';
import type { EngineRegistry } from '../engines/engine-registry.js';
import type { StreamEngineBinding } from '../engines/stream-engine-binding.js';
import { buildApp } from '../http/app.js';
import { streamPersistence } from '../http/stream-persistence.js';
import { settlingTarget } from '../reconcile/settling-target.js';
import { EventJournal } from '../events/event-journal.js';
import { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import { fail, pass, type HealthComponent } from '../http/health-report.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessRunner } from '../ports/process-runner.js';
import { StoreUnavailableError, type Store } from '../ports/store.js';
import type { DesiredEntry } from '../reconcile/diff.js';
import { Reconciler, storeDesired, type DesiredReader } from '../reconcile/reconciler.js';
import { supervisorTarget } from './supervisor-target.js';
import { ControllerSource } from '../sources/controller-source.js';
import { FileSource } from '../sources/file-source.js';
import { AlertManager } from '../notify/alert-manager.js';
import { followStreams } from '../notify/follow-streams.js';
import { OutboxWorker } from '../notify/outbox-worker.js';
import { Heartbeat } from './heartbeat.js';
import { stopStrayRuns } from '../supervisor/stop-stray-runs.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { recordRecoveries } from '../watchdog/record-recoveries.js';
import { Watchdog } from '../watchdog/watchdog.js';

export interface DaemonOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly runner?: ProcessRunner;
  /** Listen on this port instead of the configured one (0 = any free port). */
  readonly port?: number;
  /**
   * The file `config` was loaded from: watched, and re-read by `reload()` (SIGHUP). Absent for a
   * configuration built in memory (the demo): its streams are applied once, never reloaded.
   */
  readonly configPath?: string;
  /** `${VAR}` values for config reloads. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** While the store cannot be opened, try again this often. @default 10000 */
  readonly storeRetryMs?: number;
}

/** How often the store's writability is probed for /readyz. */
const STORE_CHECK_MS = 10_000;
/** Retention: pruned at start and then this often. */
const PRUNE_EVERY_MS = 60 * 60 * 1_000;
const DAY_MS = 24 * 60 * 60 * 1_000;
const RETENTION = { keepRunsPerStream: 50, maxEventAgeMs: 7 * DAY_MS, maxRecoveryAgeMs: 30 * DAY_MS, maxSentNotificationAgeMs: 7 * DAY_MS } as const;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** starting: streams not started yet; running: first reconcile done; stopping: shutting down. */
export type DaemonPhase = 'starting' | 'running' | 'stopping';

/** How stale the heartbeat may be before /livez fails. */
const LIVENESS_TOLERANCE_MS = 5_000;

export interface Daemon {
  readonly supervisor: Supervisor;
  /** The watchdog layer: checks, health, the recovery decider per stream. */
  readonly watchdog: Watchdog;
  /** The events the API publishes (SSE); notifiers publish `notification` events here. */
  readonly journal: EventJournal;
  /** For the watchdog and notifiers: check results and notification outcomes. */
  readonly metrics: StreamwardenMetrics;
  readonly logger: Logger;
  /** The base URL the HTTP server listens on, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  /** The store, once open (undefined while it is unavailable). */
  store(): Store | undefined;
  /** The reconcile loop feeding the supervisor from the store's desired set. */
  readonly reconciler: Reconciler;
  /** Re-reads the configuration file (SIGHUP); a no-op without a config path. Never throws. */
  reload(): Promise<void>;
  /** Stops the HTTP server and every stream; resolves when all ffmpeg processes have exited. */
  stop(): Promise<void>;
  /**
   * True when ffmpeg runs under the FIFO runner: its processes outlive the daemon on purpose, and
   * a crash must leave them running for the next daemon to re-attach to.
   */
  readonly processesSurviveExit: boolean;
  /** Last resort (second signal): SIGKILLs every ffmpeg group still live. Synchronous. */
  killAllSync(): number;
}

/**
 * The runner whose ffmpeg processes outlive the daemon, with its runtime folder (0700) beside the
 * store; undefined (the caller falls back to the plain runner) when the folder is unusable.
 */
function createFifoRunner(runtimeDir: string, clock: Clock, logger: Logger): FifoProcessRunner | undefined {
  try {
    ensureRoot(runtimeDir);
  } catch (error) {
    logger.error({ err: error, runtimeDir }, 'the runtime folder is unusable; ffmpeg will not survive a daemon restart');
    return undefined;
  }
  logger.info({ runtimeDir }, 'ffmpeg runs survive a daemon restart (named pipes)');
  return new FifoProcessRunner({ runtimeDir, clock });
}

/** The alert about the store itself: a daemon-level condition (no stream), so global notifiers get it. */
const STORE_ALERT = { condition: 'unhealthy', severity: 'critical', title: 'streamwarden: the store cannot take writes' } as const;

/** SIGKILLs one process group; false when it is already gone. */
function killGroupSync(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const redact = createRedactor(config.secrets);
  const logger = options.logger ?? createLogger({ redact });
  const clock = options.clock ?? systemClock;

  const ffmpeg = locateFfmpeg(config.ffmpeg.path);
  const capabilities = await detectCapabilities(ffmpeg.path);
  logger.info({ path: ffmpeg.path, source: ffmpeg.source, version: capabilities.version }, 'using ffmpeg');
  let ffprobePath: string;
  try {
    const ffprobe = locateFfprobe(config.ffmpeg.ffprobePath);
    ffprobePath = ffprobe.path;
    logger.info({ path: ffprobe.path, source: ffprobe.source }, 'using ffprobe');
  } catch (error) {
    // Only ffprobe checks and fallback-input probes need it: they report it failing, nothing else stops.
    ffprobePath = config.ffmpeg.ffprobePath ?? 'ffprobe';
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'no usable ffprobe; ffprobe checks will fail');
  }

  // The store. When it cannot be opened the daemon runs from the configuration alone (no
  // persistence), reports a failing `store` component and keeps trying.
  const storePath = resolvePath(process.cwd(), config.storage.path);
  const storeRetryMs = options.storeRetryMs ?? STORE_CHECK_MS;
  let store: Store | undefined;
  let storeProblem: string | undefined = 'not opened yet';
  let fileSource: FileSource | undefined;
  let controllerSource: ControllerSource | undefined;
  let closing = false;
  const timers: { storeCheck?: TimerHandle; prune?: TimerHandle; storeRetry?: TimerHandle } = {};
  /** Notifications: set up once the store is open and the watchdog exists. */
  let notifications: { alerts: AlertManager; outbox: OutboxWorker; unfollow: () => void } | undefined;
  /** The engine pool, once it exists; `configEngines` are the last valid file's (reloads change them). */
  let engineRegistry: EngineRegistry | undefined = undefined;
  let configEngines = config.engines;
  /** Set once the watchdog exists: starts notifications on an open store. */
  let startNotifications: (opened: Store) => Promise<void> = () => Promise.resolve();
  /** Set once the reconciler exists. */
  let triggerReconcile: (reason: string) => void = () => undefined;


  const checkStore = async (): Promise<void> => {
    if (!store) return;
    try {
      await store.checkWritable();
      if (storeProblem !== undefined) {
        logger.info({ path: storePath }, 'the store is writable');
        void notifications?.alerts.conditionCleared(STORE_ALERT.condition);
      }
      storeProblem = undefined;
    } catch (error) {
      if (storeProblem === undefined) logger.error({ err: error, path: storePath }, 'the store cannot take writes; streams keep running');
      storeProblem = errorText(error);
      // Alert state lives in the store too: this reaches the notifiers only if the alert table
      // still takes writes (repeats are cheap); otherwise the log and /readyz carry it.
      void notifications?.alerts.conditionActive({ ...STORE_ALERT, what: `the store (${storePath}) failed a write probe: ${storeProblem}` });
    }
  };
  const scheduleStoreCheck = (): void => {
    timers.storeCheck = clock.setTimer(STORE_CHECK_MS, () => {
      void checkStore().finally(() => {
        if (!closing) scheduleStoreCheck();
      });
    });
  };
  const prune = async (): Promise<void> => {
    if (!store) return;
    try {
      const removed = await store.prune({ now: clock.now(), ...RETENTION });
      logger.info({ removed }, 'store pruned');
    } catch (error) {
      logger.warn({ err: error }, 'pruning the store failed; trying again later');
    }
  };
  const schedulePrune = (): void => {
    timers.prune = clock.setTimer(PRUNE_EVERY_MS, () => {
      void prune().finally(() => {
        if (!closing) schedulePrune();
      });
    });
  };

  /** Feeds the sources into an open store; then the reconciler reads the store. */
  const attachStore = async (opened: Store): Promise<void> => {
    store = opened;
    storeProblem = undefined;
    // The reconciler may not exist yet (the first attempt opens the store before it): its first
    // pass reads the store anyway.
    const onChange = (reason: string) => triggerReconcile(reason);
    fileSource = new FileSource({
      // A config built in memory has no file: applied once, not watched, never reloaded.
      path: options.configPath ?? 'streamwarden.yaml',
      env: options.env ?? process.env,
      store: opened,
      clock,
      logger,
      onChange,
      onEngines: (specs) => {
        configEngines = specs;
        engineRegistry?.replaceConfigEngines(specs);
      },
      ...(options.configPath === undefined && { watch: false as const }),
    });
    const outcome = await fileSource.applyConfig(config);
    if (outcome.status !== 'applied') logger.error({ outcome }, 'the configuration streams could not be stored');
    if (options.configPath !== undefined) fileSource.start();
    if (config.controller) {
      controllerSource = new ControllerSource({
        ...config.controller,
        store: opened,
        clock,
        logger,
        onChange,
        redact,
        references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
      });
      controllerSource.start();
    }
    await prune();
    schedulePrune();
    scheduleStoreCheck();
  };
  const storeUnavailable = (error: StoreUnavailableError): void => {
    storeProblem = errorText(error);
    logger.error({ err: error, path: storePath, retryMs: storeRetryMs }, 'the store is unavailable; running from the configuration without persistence');
    timers.storeRetry = clock.setTimer(storeRetryMs, () => {
      if (!closing) void openStore().catch((err: unknown) => logger.error({ err }, 'opening the store failed'));
    });
  };
  /** Later attempts, after a first one failed: the streams already run under the fallback runner. */
  const openStore = async (): Promise<void> => {
    try {
      const opened = await openSqliteStore({ path: storePath, clock });
      if (closing) {
        await opened.close();
        return;
      }
      logger.info({ path: storePath }, 'store opened');
      await attachStore(opened);
      await engineRegistry?.loadLate(configEngines);
      await startNotifications(opened);
      triggerReconcile('store-opened');
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      storeUnavailable(error);
    }
  };

  // The first attempt, before the supervisor exists: with a store, ffmpeg runs under the FIFO
  // runner (it outlives the daemon, and the next daemon re-attaches to it); without one there is
  // nothing to re-attach from, so the plain runner (its groups die with the daemon) is used.
  let firstStore: Store | undefined;
  try {
    firstStore = await openSqliteStore({ path: storePath, clock });
    logger.info({ path: storePath }, 'store opened');
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    storeUnavailable(error);
  }
  // The file and controller sources write the desired set before any stream is known.
  if (firstStore) await attachStore(firstStore);
  const fifoRunner = options.runner === undefined && firstStore !== undefined ? createFifoRunner(path.join(path.dirname(storePath), 'run'), clock, logger) : undefined;
  const registry = fifoRunner ? storeRunRegistry(() => store, logger) : undefined;

  // The streams of the store's desired set are created stopped (the constructor starts nothing),
  // so that their surviving processes can be adopted before the reconciler starts anything.
  // Without re-attach the supervisor starts empty: the reconciler adds and starts the streams.
  let initialSpecs: StreamSpec[] = [];
  if (fifoRunner && firstStore) {
    try {
      initialSpecs = [...(await storeDesired(firstStore)()).values()].map(({ spec, desired }) => ({ ...spec, desired }));
    } catch (error) {
      logger.error({ err: error }, 'reading the desired streams failed; nothing is re-attached');
    }
  }
  const pool: { binding?: StreamEngineBinding } = {};
  const supervisor = new Supervisor(initialSpecs, {
    clock,
    runner: options.runner ?? fifoRunner ?? new NodeProcessRunner(),
    ffmpeg: { path: ffmpeg.path, capabilities },
    logger,
    redact,
    random: () => randomInt(0, 1_000_000) / 1_000_000,
    ...(registry && { registry }),
    // Streams on an engine pool get their engine here (the binding exists before anything spawns).
    prepareSource: (spec) => pool.binding?.prepare(spec) ?? { ok: false, error: 'the engine pool is not set up yet' },
  });

  const journal = new EventJournal({
    clock,
    redact,
    onListenerError: (error) => logger.error({ err: error }, 'an event subscriber failed'),
  });
  journal.follow(supervisor.events);
  // Before any stream starts, so no run is missed.
  const metrics = new StreamwardenMetrics({ supervisor, clock, logger, processStats: procfsReader() });
  metrics.start();

  const watchdog = new Watchdog({
    supervisor,
    clock,
    logger,
    redact,
    metrics,
    ffmpegPath: ffmpeg.path,
    ffprobePath,
    rtmpServers: config.rtmpServers.map((server) => createRtmpServer(server, { redact, clock })),
    random: () => randomInt(0, 1_000_000) / 1_000_000,
  });
  journal.followWatchdog(watchdog.events);
  // The event log in the store: what happened, kept across restarts (pruned by retention).
  journal.subscribe((event) => {
    store
      ?.appendEvent({ at: clock.now(), type: event.type, ...(event.streamId === undefined ? {} : { stream: event.streamId }), payload: JSON.parse(event.data) as unknown })
      .catch((error: unknown) => logger.warn({ err: error, type: event.type }, 'could not record an event in the store'));
  });
  recordRecoveries(watchdog.events, () => store, logger.child({ component: 'recoveries' }));

  // Notifications: alert state and the outbox live in the store, so they start once it is open
  // (now, or when a later attempt opens it).
  if (config.notifiers.length > 0 && !firstStore) logger.warn({}, 'the store is unavailable: no notifications are sent until it opens');
  startNotifications = async (opened: Store): Promise<void> => {
    if (notifications || closing || config.notifiers.length === 0) return;
    const outbox = new OutboxWorker({
      store: opened,
      notifiers: config.notifiers.map((n) => notifierFromConfig(n, redact)),
      clock,
      redact,
      log: logger.child({ component: 'outbox' }),
      onOutcome: (notifier, result) => metrics.countNotification(notifier, result),
    });
    try {
      const alerts = await AlertManager.open({
        store: opened,
        clock,
        redact,
        log: logger.child({ component: 'alerts' }),
        routes: config.notifiers.map((n) => ({ id: n.id, global: n.global ?? true, minSeverity: n.minSeverity })),
        streamNotify: (id) => (supervisor.has(id) ? supervisor.get(id).spec.notify : []),
        timings: {
          ...(config.alerts.sendResolved !== undefined && { sendResolved: config.alerts.sendResolved }),
          reminderMs: config.alerts.reminderMs,
        },
        forMs: config.alerts.forMs,
        ...(config.alerts.groupWindowMs !== undefined && { groupWindowMs: config.alerts.groupWindowMs }),
        maintenance: () => config.maintenance,
        onEnqueued: () => outbox.kick(),
        detectUncleanStop: true,
      });
      const unfollowStreams = followStreams(alerts, supervisor.events, watchdog.events, {
        streamName: (id) => (supervisor.has(id) ? supervisor.get(id).spec.name : id),
        onError: (error) => logger.warn({ err: error }, 'an alert could not be recorded'),
      });
      // A removed stream has nothing left to alert about.
      const unfollowRemoved = supervisor.streamChanges.on('removed', (e) => void alerts.clearStream(e.streamId));
      notifications = {
        alerts,
        outbox,
        unfollow: () => {
          unfollowStreams();
          unfollowRemoved();
        },
      };
      outbox.start();
      logger.info({ notifiers: config.notifiers.map((n) => n.id) }, 'notifications are on');
    } catch (error) {
      logger.error({ err: error }, 'notifications could not start; none are sent');
    }
  };
  if (firstStore) await startNotifications(firstStore);

  /**
   * Re-attach at boot: adopt the stored runs (validated by the runner: a process that fails, or an
   * entry of another boot, is never signalled), then remove run folders nobody uses. The
   * reconciler's first pass waits for it; it then starts what was not adopted.
   */
  const adoptAtBoot = async (): Promise<void> => {
    if (!fifoRunner || !firstStore) return;
    try {
      const entries = await firstStore.listRuntime();
      const report = supervisor.adopt(entries);
      // Folders of unknown streams are kept too: their process, if alive, still writes to them.
      const keep = new Set([...report.adopted, ...report.unknownStream]);
      const swept = fifoRunner.sweep(entries.filter((entry) => keep.has(entry.stream)));
      logger.info(
        {
          stored: entries.length,
          adopted: report.adopted,
          refused: report.refused.map(({ stream, reason, lost }) => ({ stream, reason, lost })),
          unknownStream: report.unknownStream,
          swept,
        },
        're-attached to surviving ffmpeg runs',
      );
      // A stream removed while the daemon was down must not go on publishing unsupervised.
      const unknown = new Set(report.unknownStream);
      void stopStrayRuns(
        entries.filter((entry) => unknown.has(entry.stream)),
        {
          runner: fifoRunner,
          clock,
          logger,
          stop: DEFAULT_STOP_POLICY,
          forget: (run) => {
            firstStore.clearRuntime(run.stream, run.pid).catch((error: unknown) => logger.warn({ err: error, stream: run.stream }, 'could not forget a stray run'));
          },
        },
      );
    } catch (error) {
      logger.error({ err: error }, 're-attaching to surviving ffmpeg runs failed; streams start fresh');
    }
  };
  // The engine pool: config engines (replaced on start and reload), API engines, usage and claims
  // kept in the store; health polled in the background, transitions alerted, streams moved.
  const enginePool = await createEnginePool({
    polling: config.enginePolling,
    configEngines,
    clock,
    store: () => store,
    metrics,
    logger,
    journal,
    alerts: () => notifications?.alerts,
    streams: boundStreamsOf(supervisor),
    streamName: (id) => (supervisor.has(id) ? supervisor.get(id).spec.name : id),
  });
  engineRegistry = enginePool.registry;
  const binding = enginePool.binding;
  pool.binding = binding;

  const ready = adoptAtBoot();
  await ready;

  const configDesired = new Map<string, DesiredEntry>(config.streams.map((spec) => [spec.id, { spec, desired: spec.desired }]));
  const readDesired: DesiredReader = () => (store ? storeDesired(store)() : Promise.resolve(configDesired));
  const target = settlingTarget(supervisorTarget(supervisor));
  const reconciler = new Reconciler({ target, readDesired, clock, logger, ready });
  triggerReconcile = (reason) => reconciler.trigger(reason);



  const heartbeat = new Heartbeat(clock, 1_000);
  heartbeat.start();
  let phase: DaemonPhase = 'starting';
  // Readiness is a list of named components so that the store can add "writable" later.
  const health: HealthComponent[] = [
    {
      name: 'heartbeat',
      kind: 'liveness',
      check: () =>
        heartbeat.isLive(LIVENESS_TOLERANCE_MS) ? pass('timers are firing') : fail(`no timer has fired for over ${LIVENESS_TOLERANCE_MS / 1_000} s`),
    },
    { name: 'config', kind: 'readiness', check: () => pass(`configuration loaded (${config.streams.length} streams)`) },
    {
      name: 'store',
      kind: 'readiness',
      check: () => (storeProblem === undefined ? pass(`store writable (${storePath})`) : fail(`store unavailable: ${storeProblem}`)),
    },
    {
      name: 'reconcile',
      kind: 'readiness',
      check: () =>
        phase === 'starting' || reconciler.status().passes === 0 ? fail('streams are being started') : pass('streams wanted running were started'),
    },
    { name: 'shutdown', kind: 'readiness', check: () => (phase === 'stopping' ? fail('shutting down') : pass('not shutting down')) },
  ];
  let app: FastifyInstance | undefined;
  try {
    app = buildApp({
      metrics,
      supervisor,
      clock,
      health,
      journal,
      redact,
      watchdog,
      engines: enginePool.registry,
      engineOf: (id) => binding.engineOf(id),
      references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
      persistence: streamPersistence({ store: () => store, reconciler, target, readDesired }),
      isShuttingDown: () => phase === 'stopping',
      ...(config.server.token ? { token: config.server.token } : {}),
    });
    await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
  } catch (error) {
    closing = true;
    for (const timer of Object.values(timers)) timer?.cancel();
    heartbeat.stop();
    metrics.close();
    await app?.close();
    await enginePool.stopFollowing();
    binding.close();
    notifications?.unfollow();
    await notifications?.alerts.close();
    await notifications?.outbox.close();
    await fileSource?.close();
    await controllerSource?.close();
    await store?.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url, dashboard: `${url}/`, streams: config.streams.length }, 'streamwarden is listening');

  enginePool.startPolling();
  reconciler.start();
  // The first pass launches every start; the streams exist in the supervisor once it returns.
  await reconciler.reconcileNow();
  binding.releaseOrphans();
  for (const window of windowsForUnknownStreams(config.maintenance, (id) => supervisor.has(id), clock.now())) {
    logger.warn({ stream: window.stream, start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() }, 'a maintenance window names a stream no source has (yet): check its id');
  }
  watchdog.start();
  phase = 'running';

  let stopping: Promise<void> | undefined;
  const server = app;
  return {
    supervisor,
    watchdog,
    journal,
    metrics,
    logger,
    url,
    reconciler,
    store: () => store,
    processesSurviveExit: fifoRunner !== undefined,
    killAllSync: () => {
      let killed = killAllGroupsSync();
      for (const run of fifoRunner?.activeRuns() ?? []) if (killGroupSync(run.pgid)) killed += 1;
      return killed;
    },
    reload: async () => {
      if (options.configPath === undefined) {
        logger.warn({}, 'no configuration file to reload');
        return;
      }
      if (!fileSource) {
        logger.warn({}, 'the store is unavailable; the configuration is reloaded once it opens');
        return;
      }
      const outcome = await fileSource.reload('SIGHUP');
      logger.info({ status: outcome.status }, 'configuration reloaded');
    },
    stop: () =>
      (stopping ??= (async () => {
        // Not ready from here on (/readyz 503, changes refused), but still answering while the
        // streams stop; the server closes last, then a second stopAll catches a stream that a
        // request still in flight (a PUT) may have started.
        phase = 'stopping';
        closing = true;
        for (const timer of Object.values(timers)) timer?.cancel();
        // The sources and the reconciler first: nothing may start a stream from here on.
        await fileSource?.close();
        await controllerSource?.close();
        await reconciler.close();
        // Alerts stop following before the watchdog stops: stopping is not an incident.
        notifications?.unfollow();
        await enginePool.stopFollowing();
        // The watchdog next, so that nothing restarts a stream that is being stopped.
        await watchdog.stop();
        logger.info({}, 'stopping every stream');
        await supervisor.stopAll();
        await server.close();
        await supervisor.stopAll();
        // After the streams stopped (which released their engines): nothing is handed out any more.
        binding.close();
        metrics.close();
        heartbeat.stop();
        // The runtime entries of the stopped runs are cleared before the store closes.
        await registry?.flush();
        // Open groups go to the outbox, sends in flight finish (bounded), the "running" marker is cleared.
        await notifications?.alerts.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the alert manager failed'));
        await notifications?.outbox.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the outbox failed'));
        // Desired state is never rewritten at shutdown: only the store is closed.
        await store?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the store failed'));
        logger.info({}, 'all streams stopped');
      })()),
  };
}
