/**
 * What a user wants for one stream, resolved from configuration (defaults applied, durations
 * in milliseconds). Immutable once loaded.
 */
import type { CheckSettingsByType } from './check-settings.js';

export type DesiredState = 'running' | 'stopped';

export const STREAM_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface RestartPolicy {
  /** Delay of the second restart; the first restart after a failure is immediate. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly backoffMultiplier: number;
  /** Fraction of each delay added or removed at random (0.2 = ±20 %). */
  readonly jitter: number;
  /** A run that stayed running this long resets the backoff sequence. */
  readonly resetAfterMs: number;
  /** `restarts` automatic restarts are allowed within `withinMs`; the failure after them enters crashloop. */
  readonly budget: { readonly restarts: number; readonly withinMs: number };
}

export interface StopPolicy {
  /** After SIGINT, how long ffmpeg gets to finish its muxer before SIGTERM. */
  readonly interruptGraceMs: number;
  /** After SIGTERM, how long before SIGKILL. */
  readonly terminateGraceMs: number;
}

export interface StreamInput {
  /** A URL or path, or `lavfi:<graph>` for a generated source. */
  readonly url: string;
  /** Extra ffmpeg options placed before this input's `-i`. */
  readonly options: readonly string[];
}

/** Raw ffmpeg arguments, or inputs + output + encode options compiled to arguments. */
export type StreamSource =
  | { readonly kind: 'args'; readonly args: readonly string[] }
  | {
      readonly kind: 'pipeline';
      readonly inputs: readonly StreamInput[];
      readonly output: string;
      readonly encode: readonly string[];
    };

export type RecoveryAction = 'restart' | 'drop-publisher' | 'next-input' | 'notify';

/**
 * Whose publisher `drop-publisher` drops (domain/watchdog/drop-target.ts): `check`, the publisher
 * of the failing check's RTMP URL; `input`, the publisher of the stream's active input; `output`,
 * our own session at the output; `auto` (default), the failing check's URL unless it probes our
 * output, else the active input when it is an RTMP URL, else the output.
 */
export type DropPublisherTarget = 'auto' | 'check' | 'input' | 'output';
export const DEFAULT_DROP_PUBLISHER_TARGET: DropPublisherTarget = 'auto';

export type CheckType = keyof CheckSettingsByType;

/** What every health check has, whatever its type. */
export interface CheckCommon {
  readonly name: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Reported, never acted on. */
  readonly informational: boolean;
  /** Unhealthy after this long without a single success (continuous-duration style). */
  readonly unhealthyAfterMs?: number;
  /** Unhealthy after this many consecutive failures (count style). */
  readonly failureThreshold?: number;
  /** Healthy again after this many consecutive successes. */
  readonly successThreshold: number;
}

/** A health check of one type, with that type's settings (url, expectations, limits). */
export interface CheckSpecOf<T extends CheckType> extends CheckCommon {
  readonly type: T;
  readonly settings: CheckSettingsByType[T];
}

/**
 * A health check as configured, evaluated by the watchdog layer: one `CheckSpecOf` per check type
 * (progress, process, ffprobe, http, rtmp-server, content), so that `type` tells its settings.
 */
export type CheckSpec = { readonly [T in CheckType]: CheckSpecOf<T> }[CheckType];

/** How a pipeline's `inputs` are switched (domain/watchdog/input-failover.ts). */
export interface FailoverSpec {
  /** `priority`: later inputs are fallbacks; `rotate`: peers in turn (the motherstream queue). */
  readonly mode: 'priority' | 'rotate';
  /** A better input must probe healthy this long before the stream switches back to it. */
  readonly returnAfterMs: number;
  /** How often a better input is probed while the stream runs on a fallback. */
  readonly probeIntervalMs: number;
  /** Timeout of each such probe (and of the probe that confirms a failed input). */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_FAILOVER: FailoverSpec = { mode: 'priority', returnAfterMs: 60_000, probeIntervalMs: 10_000, probeTimeoutMs: 5_000 };

/** Which engines of the pool a stream may run on: healthy ones with every label (none = any). */
export interface EngineSelector {
  readonly labels: Readonly<Record<string, string>>;
}

export interface StreamSpec {
  readonly id: string;
  readonly name: string;
  readonly desired: DesiredState;
  readonly source: StreamSource;
  readonly restart: RestartPolicy;
  readonly stop: StopPolicy;
  /** Time from spawn to the first advancing progress before the run is judged failed. */
  readonly startTimeoutMs: number;
  /** Time without advancing progress while running before the process is killed and restarted. */
  readonly stallTimeoutMs: number;
  readonly rtmpServer?: string;
  readonly checks: readonly CheckSpec[];
  readonly onUnhealthy: readonly RecoveryAction[];
  /** Set when configured; DEFAULT_DROP_PUBLISHER_TARGET applies otherwise. */
  readonly dropPublisher?: { readonly target: DropPublisherTarget };
  readonly notify: readonly string[];
  /** Set when configured; DEFAULT_FAILOVER applies to a pipeline with several inputs otherwise. */
  readonly failover?: FailoverSpec;
  /** Runs on an engine of the pool: `{engine}` in the source is its host:port (domain/engines/engine-binding.ts). */
  readonly engine?: EngineSelector;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  backoffMultiplier: 2,
  jitter: 0.2,
  resetAfterMs: 10 * 60_000,
  budget: { restarts: 5, withinMs: 5 * 60_000 },
};

export const DEFAULT_STOP_POLICY: StopPolicy = { interruptGraceMs: 5_000, terminateGraceMs: 5_000 };
export const DEFAULT_START_TIMEOUT_MS = 30_000;
export const DEFAULT_STALL_TIMEOUT_MS = 10_000;
