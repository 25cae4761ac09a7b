/**
 * Composition root: builds every part of the daemon, starts them in order and stops them in
 * reverse. Nothing else constructs adapters.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { detectCapabilities } from './adapters/ffmpeg/detect-capabilities.js';
import { locateFfmpeg, locateFfprobe } from './adapters/ffmpeg/locate.js';
import { NodeProcessRunner } from './adapters/ffmpeg/node-process-runner.js';
import { createLogger } from './adapters/logger.js';
import { createRtmpServer } from './adapters/rtmp/create-rtmp-server.js';
import { systemClock } from './adapters/system-clock.js';
import type { Config } from './config/types.js';
import { createRedactor } from './domain/redact.js';
import { buildApp } from './http/app.js';
import { EventJournal } from './http/event-journal.js';
import { StreamwardenMetrics } from './metrics/streamwarden-metrics.js';
import { fail, pass, type HealthComponent } from './http/health-report.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { ProcessRunner } from './ports/process-runner.js';
import { Heartbeat } from './supervisor/heartbeat.js';
import { Supervisor } from './supervisor/supervisor.js';
import { Watchdog } from './watchdog/watchdog.js';

export interface DaemonOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly runner?: ProcessRunner;
  /** Listen on this port instead of the configured one (0 = any free port). */
  readonly port?: number;
}

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
  /** Stops the HTTP server and every stream; resolves when all ffmpeg processes have exited. */
  stop(): Promise<void>;
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

  const supervisor = new Supervisor(config.streams, {
    clock,
    runner: options.runner ?? new NodeProcessRunner(),
    ffmpeg: { path: ffmpeg.path, capabilities },
    logger,
    redact,
    random: () => randomInt(0, 1_000_000) / 1_000_000,
  });

  const journal = new EventJournal({
    clock,
    redact,
    onListenerError: (error) => logger.error({ err: error }, 'an event subscriber failed'),
  });
  journal.follow(supervisor.events);
  // Before any stream starts, so no run is missed.
  const metrics = new StreamwardenMetrics({ supervisor, clock, logger });
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
      name: 'reconcile',
      kind: 'readiness',
      check: () => (phase === 'starting' ? fail('streams are being started') : pass('streams wanted running were started')),
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
      references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
      isShuttingDown: () => phase === 'stopping',
      ...(config.server.token ? { token: config.server.token } : {}),
    });
    await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
  } catch (error) {
    heartbeat.stop();
    metrics.close();
    await app?.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url, streams: config.streams.length }, 'streamwarden is listening');

  supervisor.startDesired();
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
    stop: () =>
      (stopping ??= (async () => {
        // Not ready from here on (/readyz 503, changes refused), but still answering while the
        // streams stop; the server closes last, then a second stopAll catches a stream that a
        // request still in flight (a PUT) may have started.
        phase = 'stopping';
        // The watchdog first, so that nothing restarts a stream that is being stopped.
        await watchdog.stop();
        logger.info({}, 'stopping every stream');
        await supervisor.stopAll();
        await server.close();
        await supervisor.stopAll();
        metrics.close();
        heartbeat.stop();
        logger.info({}, 'all streams stopped');
      })()),
  };
}
