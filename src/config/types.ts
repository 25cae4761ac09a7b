/**
 * The loaded configuration: validated, defaults applied, durations in milliseconds, deeply
 * frozen. Built by `loadConfigText` / `loadConfigFile` (load.ts).
 */
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import type { StreamSpec } from '../domain/stream-spec.js';

/** The `controller:` section of the configuration (the config schema maps onto this). */
export interface ControllerOptions {
  /** The controller's event stream, e.g. https://backend.example/edge/events. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** No event or comment for this long → reconnect. @default 45000 (3 × a 15 s heartbeat) */
  readonly heartbeatTimeoutMs?: number;
  /** While the controller is down, attempts are this far apart (the first ones sooner: 1 s, 2 s, 4 s). @default 5000 */
  readonly reconnectDelayMs?: number;
}

export interface ServerConfig {
  /** Bind address; 127.0.0.1 unless the user asks for more. */
  readonly host: string;
  /** 0 lets the OS pick a free port. */
  readonly port: number;
  /** When set, every write needs it (reads carry no secret and stay open). Absent when empty. */
  readonly token?: string;
  /** /readyz fails while a stream wanted running is in a crash loop. Default true. */
  readonly readinessFailsOnCrashloop: boolean;
}

export interface StorageConfig {
  /** SQLite file, as written in the config (relative paths are the caller's to resolve). */
  readonly path: string;
}

export interface FfmpegConfig {
  readonly path?: string;
  readonly ffprobePath?: string;
}

export type RtmpServerType = 'nginx-rtmp' | 'srs' | 'mediamtx';

export type RtmpServerConfig =
  | { readonly id: string; readonly type: 'nginx-rtmp'; readonly statUrl: string; readonly controlUrl: string }
  | { readonly id: string; readonly type: 'srs' | 'mediamtx'; readonly apiUrl: string };

export type NotifierType = 'discord' | 'slack' | 'telegram' | 'webhook';
export type Severity = 'info' | 'warning' | 'critical';

/** Settings every notifier type takes. */
export interface NotifierCommon {
  readonly id: string;
  /** Notices below this are not sent. Default `info` (everything). */
  readonly minSeverity: Severity;
  /** Gets every stream's notices (and the daemon's), not only streams naming it. Default true. */
  readonly global?: boolean;
  /** `{{field}}` templates overriding the default message text (domain/alerts/templates.ts). */
  readonly templates?: { readonly title?: string; readonly item?: string };
  /** Overrides the provider's default limit: `capacity` requests per `perMs`. */
  readonly rateLimit?: { readonly capacity: number; readonly perMs: number };
}

export type NotifierConfig =
  | (NotifierCommon & {
      readonly type: 'discord' | 'slack' | 'webhook';
      readonly url: string;
    })
  | (NotifierCommon & {
      readonly type: 'telegram';
      readonly botToken: string;
      readonly chatId: string;
      /** The Bot API base URL (tests point it at a local server). */
      readonly apiUrl?: string;
    });

/** Alert timings (src/notify/alert-manager.ts); what is absent keeps the module's default. */
export interface AlertsConfig {
  /** How long each condition must hold before it fires. */
  readonly forMs: Readonly<Partial<Record<'unhealthy' | 'degraded' | 'crashloop' | 'engine-unhealthy', number>>>;
  /** Reminder interval per severity while firing (0 = none). */
  readonly reminderMs: Readonly<Partial<Record<Severity, number>>>;
  readonly groupWindowMs?: number;
  readonly sendResolved?: boolean;
}

/** Checks run but nothing is sent in [start, end) (ms since the epoch); no stream = the whole daemon. */
export interface MaintenanceConfig {
  readonly stream?: string;
  readonly start: number;
  readonly end: number;
}

/** Engine polling; what is absent keeps the poller's / health rules' default. Durations in ms. */
export interface EnginePollingConfig {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  /** Unparsable answers in a row that make an engine unhealthy (domain/engines/engine-health.ts). */
  readonly unparsableThreshold?: number;
  readonly graceMs?: number;
}

export interface Config {
  readonly server: ServerConfig;
  readonly storage: StorageConfig;
  /** The SSE controller to follow, when configured. */
  readonly controller?: ControllerOptions;
  readonly ffmpeg: FfmpegConfig;
  readonly rtmpServers: readonly RtmpServerConfig[];
  readonly notifiers: readonly NotifierConfig[];
  readonly alerts: AlertsConfig;
  readonly maintenance: readonly MaintenanceConfig[];
  /** The engine pool's config-owned engines (API engines are added at run time). */
  readonly engines: readonly EngineSpec[];
  readonly enginePolling: EnginePollingConfig;
  readonly streams: readonly StreamSpec[];
  /**
   * Values the redactor must mask: every `${VAR}` value whose name looks secret (KEY, TOKEN,
   * SECRET, PASS, WEBHOOK, AUTH), plus server.token, controller.token, notifier URLs and bot tokens.
   */
  readonly secrets: readonly string[];
}
