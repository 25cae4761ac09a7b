/**
 * The type-specific settings of each health check type (`CheckSpec.settings`), resolved from the
 * configuration: defaults applied, durations in milliseconds. The config schema (config/check-schema.ts)
 * guarantees these shapes; the probes and the watchdog read them.
 */

export interface ProgressCheckSettings {
  /** Overrides of the degraded rules (DEFAULT_DEGRADATION_CONFIG in domain/watchdog/degradation.ts). */
  readonly degraded?: ProgressDegradedSettings;
}

/** Every field optional: what is not given keeps its default. Durations in ms. */
export interface ProgressDegradedSettings {
  readonly speed?: { readonly min?: number; readonly forMs?: number };
  readonly bitrate?: { readonly minRatio?: number; readonly forMs?: number; readonly learnMs?: number };
  readonly fps?: { readonly minRatio?: number; readonly forMs?: number; readonly sourceFps?: number; readonly learnMs?: number };
  readonly warmupMs?: number;
}

export interface ProcessCheckSettings {
  /** Percent of one core; above 100 on multi-core machines is allowed. */
  readonly maxCpuPercent?: number;
  readonly maxRssBytes?: number;
  /** A limit must be exceeded this long before the check fails. */
  readonly forMs: number;
}

export interface FfprobeCheckSettings {
  readonly url: string;
  /** true: that kind of stream must be present; false: must be absent; missing: not checked. */
  readonly expect: { readonly video?: boolean; readonly audio?: boolean };
}

export interface HttpCheckSettings {
  readonly url: string;
  /** Expected status code (default 200). */
  readonly status: number;
  /** Extra conditions, kept as written for the http check to evaluate. */
  readonly conditions: readonly string[];
}

export interface RtmpServerCheckSettings {
  readonly minBitrateKbps?: number;
}

export interface ContentCheckSettings {
  /** How long each sample of the output is analysed. */
  readonly durationMs: number;
  readonly black: boolean;
  readonly freeze: boolean;
  readonly silence: boolean;
}

/** The settings each check type carries; its keys are the check types. */
export interface CheckSettingsByType {
  readonly progress: ProgressCheckSettings;
  readonly process: ProcessCheckSettings;
  readonly ffprobe: FfprobeCheckSettings;
  readonly http: HttpCheckSettings;
  readonly 'rtmp-server': RtmpServerCheckSettings;
  readonly content: ContentCheckSettings;
}
