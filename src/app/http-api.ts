/** The daemon's HTTP API and dashboard: built over the running parts, listening on the configured address. */
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/types.js';
import type { Redactor } from '../domain/redact.js';
import type { EventJournal } from '../events/event-journal.js';
import { buildApp } from '../http/app.js';
import { StreamService } from '../reconcile/stream-service.js';
import type { StreamwardenMetrics } from '../metrics/streamwarden-metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Watchdog } from '../watchdog/watchdog.js';
import type { EnginePool } from './engine-pool.js';
import { healthComponents, type DaemonPhase } from './health-components.js';
import type { Heartbeat } from './heartbeat.js';
import type { ReconcileLoop } from './reconcile-loop.js';
import type { StoreLifecycle } from './store-lifecycle.js';

export interface HttpApiWiring {
  readonly config: Config;
  readonly port: number | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly phase: () => DaemonPhase;
  readonly heartbeat: Heartbeat;
  readonly store: StoreLifecycle;
  readonly storePath: string;
  readonly supervisor: Supervisor;
  readonly watchdog: Watchdog;
  readonly journal: EventJournal;
  readonly metrics: StreamwardenMetrics;
  readonly enginePool: EnginePool;
  readonly loop: ReconcileLoop;
}

export interface HttpApi {
  /** Listens; resolves with the URL it answers on. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export function createHttpApi(w: HttpApiWiring): HttpApi {
  const { config, loop } = w;
  const app = buildApp({
    metrics: w.metrics,
    supervisor: w.supervisor,
    clock: w.clock,
    health: healthComponents({
      heartbeat: w.heartbeat,
      phase: w.phase,
      streamsConfigured: config.streams.length,
      storePath: w.storePath,
      storeTrouble: () => w.store.trouble(),
      reconcilePasses: () => loop.reconciler.status().passes,
      streams: () => w.supervisor.list(),
      now: () => w.clock.now(),
      failOnCrashloop: config.server.readinessFailsOnCrashloop,
    }),
    journal: w.journal,
    redact: w.redact,
    watchdog: w.watchdog,
    engines: w.enginePool.registry,
    engineOf: (id) => w.enginePool.binding.engineOf(id),
    references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
    streams: new StreamService({ store: () => w.store.current(), reconciler: loop.reconciler, target: loop.target, readDesired: loop.readDesired }),
    isShuttingDown: () => w.phase() === 'stopping',
    ...(config.server.token ? { token: config.server.token } : {}),
  });
  return {
    listen: async () => {
      await app.listen({ host: config.server.host, port: w.port ?? config.server.port });
      const url = listenUrl(config.server.host, app.server.address(), config.server.port);
      w.logger.info({ url, dashboard: `${url}/`, streams: config.streams.length }, 'streamwarden is listening');
      return url;
    },
    close: () => app.close(),
  };
}

function listenUrl(host: string, address: string | AddressInfo | null, configured: number): string {
  const port = typeof address === 'object' && address ? address.port : configured;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
