/** What one stream's watchdog is given (StreamWatchdog; the Watchdog builds it for each stream). */
import type { Redactor } from '../domain/redact.js';
import type { FailureCause } from '../domain/watchdog/failure-locus.js';
import type { RecoveryPolicyConfig } from '../domain/watchdog/recovery-policy.js';
import type { Clock } from '../ports/clock.js';
import type { CheckProbeFactory, InputProbeFactory } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import type { RtmpServer } from '../ports/rtmp-server.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { WatchdogEventMap } from '../events/watchdog-events.js';
import type { SharedTicker } from './shared-ticker.js';

/** What the watchdog reports to Prometheus (StreamwardenMetrics satisfies it). */
export interface WatchdogMetrics {
  recordCheck(streamId: string, check: string, success: boolean, durationSeconds?: number): void;
  recordRecovery(cause: FailureCause, seconds: number): void;
}

export interface StreamWatchdogDeps {
  readonly clock: Clock;
  /** The progress sample's beat, shared with every other stream of the daemon. */
  readonly ticker: SharedTicker;
  readonly logger: Logger;
  readonly redact: Redactor;
  /** Uniform in [0, 1): spreads the first beats of many checks apart. */
  readonly random: () => number;
  readonly events: TypedEvents<WatchdogEventMap>;
  readonly metrics?: WatchdogMetrics;
  /** The configured RTMP servers by id. */
  readonly rtmpServers: ReadonlyMap<string, RtmpServer>;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Builds a configured check's probe. */
  readonly createProbe: CheckProbeFactory;
  /** Builds the probe of a fallback input. */
  readonly createInputProbe: InputProbeFactory;
  /** Overrides of the recovery policy (defaults from the spec: recoveryConfigFromSpec). */
  readonly policy?: Partial<RecoveryPolicyConfig>;
  /** How long a stale session may take to clear. @default 10 s */
  readonly staleSessionTimeoutMs?: number;
}
