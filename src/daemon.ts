/**
 * Composition root: builds every part of the daemon, starts them in order and stops them in
 * reverse. Nothing else constructs adapters.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { detectCapabilities } from './adapters/ffmpeg/detect-capabilities.js';
import { locateFfmpeg } from './adapters/ffmpeg/locate.js';
import { NodeProcessRunner } from './adapters/ffmpeg/node-process-runner.js';
import { createLogger } from './adapters/logger.js';
import { systemClock } from './adapters/system-clock.js';
import type { Config } from './config/types.js';
import { createRedactor } from './domain/redact.js';
import { buildApp } from './http/app.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { ProcessRunner } from './ports/process-runner.js';
import { Heartbeat } from './supervisor/heartbeat.js';
import { Supervisor } from './supervisor/supervisor.js';

export interface DaemonOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly runner?: ProcessRunner;
  /** Listen on this port instead of the configured one (0 = any free port). */
  readonly port?: number;
}

export interface Daemon {
  readonly supervisor: Supervisor;
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

  const supervisor = new Supervisor(config.streams, {
    clock,
    runner: options.runner ?? new NodeProcessRunner(),
    ffmpeg: { path: ffmpeg.path, capabilities },
    logger,
    redact,
    random: () => randomInt(0, 1_000_000) / 1_000_000,
  });

  const heartbeat = new Heartbeat(clock, 1_000);
  heartbeat.start();
  let app: FastifyInstance | undefined;
  try {
    app = buildApp({
      supervisor,
      isLive: () => heartbeat.isLive(5_000),
      redact,
      ...(config.server.token ? { token: config.server.token } : {}),
    });
    await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
  } catch (error) {
    heartbeat.stop();
    await app?.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url, streams: config.streams.length }, 'streamwarden is listening');

  supervisor.startDesired();

  let stopping: Promise<void> | undefined;
  const server = app;
  return {
    supervisor,
    logger,
    url,
    stop: () =>
      (stopping ??= (async () => {
        logger.info({}, 'stopping every stream');
        await server.close();
        await supervisor.stopAll();
        heartbeat.stop();
        logger.info({}, 'all streams stopped');
      })()),
  };
}
