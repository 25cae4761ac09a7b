/** Per-type timing defaults of the health checks, and the built-in progress check they give. */
import type { CheckSpecOf, CheckType } from './stream-spec.js';

export interface CheckDefaults {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Used when neither unhealthyAfter nor failureThreshold is given. */
  readonly unhealthyAfterMs?: number;
  readonly failureThreshold?: number;
}

const PROGRESS_DEFAULTS = { intervalMs: 1_000, timeoutMs: 1_000, unhealthyAfterMs: 10_000 } as const satisfies CheckDefaults;

/** Cheap local checks run often; probes that open the output run less often and wait longer. */
export const CHECK_DEFAULTS: Readonly<Record<CheckType, CheckDefaults>> = {
  progress: PROGRESS_DEFAULTS,
  // `for` already demands a sustained breach, so one failed sample is enough.
  process: { intervalMs: 5_000, timeoutMs: 2_000, failureThreshold: 1 },
  // The motherstream behaviour: probe every 3 s, unhealthy after 30 s without a single success.
  ffprobe: { intervalMs: 3_000, timeoutMs: 10_000, unhealthyAfterMs: 30_000 },
  http: { intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3 },
  'rtmp-server': { intervalMs: 5_000, timeoutMs: 5_000, failureThreshold: 3 },
  content: { intervalMs: 60_000, timeoutMs: 30_000, failureThreshold: 2 },
};

/**
 * The progress check of a stream that configures none: `{type: progress}` resolved by the config
 * (config/check-schema.ts resolveCheck; a unit test keeps the two equal).
 */
export const DEFAULT_PROGRESS_CHECK: CheckSpecOf<'progress'> = {
  type: 'progress',
  name: 'progress',
  intervalMs: PROGRESS_DEFAULTS.intervalMs,
  timeoutMs: PROGRESS_DEFAULTS.timeoutMs,
  informational: false,
  unhealthyAfterMs: PROGRESS_DEFAULTS.unhealthyAfterMs,
  successThreshold: 1,
  settings: {},
};
