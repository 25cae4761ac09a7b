/** What the HTTP layer needs from the daemon. */
import type { Redactor } from '../domain/redact.js';
import type { Clock } from '../ports/clock.js';
import type { EngineRegistry } from '../engines/engine-registry.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { WatchdogStreamView } from '../watchdog/watchdog-view.js';
import type { EventJournal } from '../events/event-journal.js';
import type { MetricsEndpoint } from './routes/metrics.js';
import type { HealthComponent } from './health-report.js';
import type { SseOptions } from './sse.js';
import type { StreamReferences } from '../config/stream-body.js';
import type { StreamService } from '../reconcile/stream-service.js';

export interface AppDeps {
  readonly supervisor: Supervisor;
  readonly clock: Clock;
  /** The daemon's named health components (heartbeat, config, reconcile, shutdown, later the store). */
  readonly health: readonly HealthComponent[];
  /** Recent events, replayed to SSE clients; the daemon connects it to the supervisor's events. */
  readonly journal: EventJournal;
  /** With a token set, every write needs `Authorization: Bearer <token>`; reads stay open (they are masked). */
  readonly token?: string;
  /** Masks secrets in anything the API sends back (error messages included). */
  readonly redact: Redactor;
  /** The rtmpServers and notifiers of the loaded configuration, which API-created streams may name. */
  readonly references: StreamReferences;
  /** True once the daemon is shutting down: changes are refused with 503 SHUTTING_DOWN. */
  readonly isShuttingDown: () => boolean;
  /** The watchdog layer: checks, recoveries and failing checks per stream (absent: fast layer only). */
  readonly watchdog?: { view(streamId: string): WatchdogStreamView | undefined };
  /** GET /metrics exists only when the daemon has metrics. */
  readonly metrics?: MetricsEndpoint;
  /** API changes of streams: persisted, then applied by the reconciler. */
  readonly streams: StreamService;
  /** The engine pool; /api/v1/engines exists only when the daemon has one. */
  readonly engines?: EngineRegistry;
  /** The engine a stream on a pool holds now (shown in the stream's `engine`). */
  readonly engineOf?: (streamId: string) => string | undefined;
  /** The built dashboard served at / (default: the package's dist/web). */
  readonly webDir?: string;
  /** SSE heartbeat and slow-client bounds (defaults in sse.ts). */
  readonly sse?: Partial<SseOptions>;
}
