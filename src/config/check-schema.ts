/**
 * Health checks: the schema of one entry of `streams[].checks`, its per-type defaults, and its
 * resolution to a `CheckSpec`. Type-specific fields end up in `settings` (shapes in types.ts).
 */
import { z } from 'zod';
import type { CheckSpec, CheckType } from '../domain/stream-spec.js';
import { byteSize, duration, httpUrl, positiveInt, text } from './fields.js';
import type {
  ContentCheckSettings,
  ProgressCheckSettings,
  ProgressDegradedSettings,
  FfprobeCheckSettings,
  HttpCheckSettings,
  ProcessCheckSettings,
  RtmpServerCheckSettings,
} from './types.js';

interface CheckDefaults {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Used when neither unhealthyAfter nor failureThreshold is given. */
  readonly unhealthyAfterMs?: number;
  readonly failureThreshold?: number;
}

/** Cheap local checks run often; probes that open the output run less often and wait longer. */
export const CHECK_DEFAULTS: Readonly<Record<CheckType, CheckDefaults>> = {
  progress: { intervalMs: 1_000, timeoutMs: 1_000, unhealthyAfterMs: 10_000 },
  // `for` already demands a sustained breach, so one failed sample is enough.
  process: { intervalMs: 5_000, timeoutMs: 2_000, failureThreshold: 1 },
  // The motherstream behaviour: probe every 3 s, unhealthy after 30 s without a single success.
  ffprobe: { intervalMs: 3_000, timeoutMs: 10_000, unhealthyAfterMs: 30_000 },
  http: { intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3 },
  'rtmp-server': { intervalMs: 5_000, timeoutMs: 5_000, failureThreshold: 3 },
  content: { intervalMs: 60_000, timeoutMs: 30_000, failureThreshold: 2 },
};
const DEFAULT_PROCESS_FOR_MS = 30_000;
const DEFAULT_CONTENT_SAMPLE_MS = 10_000;

const common = {
  name: z.string().min(1).max(64).optional(),
  interval: duration({ positive: true }).optional(),
  timeout: duration({ positive: true }).optional(),
  informational: z.boolean().optional(),
  unhealthyAfter: duration({ positive: true }).optional(),
  failureThreshold: positiveInt.optional(),
  successThreshold: positiveInt.optional(),
};

/**
 * The progress check's degraded rules (DESIGN §3); every field defaults to degradation.ts's
 * DEFAULT_DEGRADATION_CONFIG: speed < 0.95 for 30 s, bitrate < 20 % of the learned baseline for
 * 15 s, fps < 80 % of the source rate for 30 s, nothing judged in the first 10 s of a run.
 */
const degradedSchema = z.strictObject({
  speed: z.strictObject({ min: z.number().positive().optional(), for: duration().optional() }).optional(),
  bitrate: z
    .strictObject({
      minRatio: z.number().positive().max(1).optional(),
      for: duration().optional(),
      /** Healthy samples the baseline is learned from before it is used. */
      learn: duration().optional(),
    })
    .optional(),
  fps: z
    .strictObject({
      minRatio: z.number().positive().max(1).optional(),
      for: duration().optional(),
      /** The source frame rate; learned from the first stable minute when absent. */
      source: z.number().positive().optional(),
      learn: duration({ positive: true }).optional(),
    })
    .optional(),
  /** After each run start, how long nothing is learned or judged. */
  warmup: duration().optional(),
});

const progressCheck = z.strictObject({ type: z.literal('progress'), ...common, degraded: degradedSchema.optional() });

const processCheck = z.strictObject({
  type: z.literal('process'),
  ...common,
  maxCpuPercent: z.number().positive().optional(),
  maxRss: byteSize.optional(),
  for: duration().optional(),
});

const ffprobeCheck = z.strictObject({
  type: z.literal('ffprobe'),
  ...common,
  url: text,
  expect: z.strictObject({ video: z.boolean().optional(), audio: z.boolean().optional() }).optional(),
});

const httpCheck = z.strictObject({
  type: z.literal('http'),
  ...common,
  url: httpUrl,
  status: z.int().min(100).max(599).optional(),
  conditions: z.array(text).optional(),
});

const rtmpServerCheck = z.strictObject({
  type: z.literal('rtmp-server'),
  ...common,
  minBitrateKbps: z.number().positive().optional(),
});

const contentCheck = z
  .strictObject({
    type: z.literal('content'),
    ...common,
    /** The content check's name for `interval`: analyse a sample every this long. */
    every: duration({ positive: true }).optional(),
    duration: duration({ positive: true }).optional(),
    black: z.boolean().optional(),
    freeze: z.boolean().optional(),
    silence: z.boolean().optional(),
  })
  .superRefine((check, ctx) => {
    if (check.every !== undefined && check.interval !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['every'], message: 'give either every or interval, not both' });
    }
    if (check.black === false && check.freeze === false && check.silence === false) {
      ctx.addIssue({ code: 'custom', message: 'enable at least one of black, freeze, silence' });
    }
    const sampleMs = check.duration ?? DEFAULT_CONTENT_SAMPLE_MS;
    const timeoutMs = check.timeout ?? CHECK_DEFAULTS.content.timeoutMs;
    if (timeoutMs <= sampleMs) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be longer than the sample duration' });
    }
  });

export const checkSchema = z.discriminatedUnion('type', [
  progressCheck,
  processCheck,
  ffprobeCheck,
  httpCheck,
  rtmpServerCheck,
  contentCheck,
]);

export type CheckInput = z.output<typeof checkSchema>;

function settingsOf(check: CheckInput): CheckSpec['settings'] {
  switch (check.type) {
    case 'progress':
      return check.degraded === undefined ? {} : ({ degraded: degradedSettings(check.degraded) } satisfies ProgressCheckSettings);
    case 'process':
      return {
        ...(check.maxCpuPercent !== undefined && { maxCpuPercent: check.maxCpuPercent }),
        ...(check.maxRss !== undefined && { maxRssBytes: check.maxRss }),
        forMs: check.for ?? DEFAULT_PROCESS_FOR_MS,
      } satisfies ProcessCheckSettings;
    case 'ffprobe':
      return { url: check.url, expect: { ...check.expect } } satisfies FfprobeCheckSettings;
    case 'http':
      return { url: check.url, status: check.status ?? 200, conditions: check.conditions ?? [] } satisfies HttpCheckSettings;
    case 'rtmp-server':
      return (check.minBitrateKbps === undefined ? {} : { minBitrateKbps: check.minBitrateKbps }) satisfies RtmpServerCheckSettings;
    case 'content':
      return {
        durationMs: check.duration ?? DEFAULT_CONTENT_SAMPLE_MS,
        black: check.black ?? true,
        freeze: check.freeze ?? true,
        silence: check.silence ?? true,
      } satisfies ContentCheckSettings;
  }
}

function degradedSettings(input: z.output<typeof degradedSchema>): ProgressDegradedSettings {
  const { speed, bitrate, fps } = input;
  return {
    ...(speed !== undefined && {
      speed: { ...(speed.min !== undefined && { min: speed.min }), ...(speed.for !== undefined && { forMs: speed.for }) },
    }),
    ...(bitrate !== undefined && {
      bitrate: {
        ...(bitrate.minRatio !== undefined && { minRatio: bitrate.minRatio }),
        ...(bitrate.for !== undefined && { forMs: bitrate.for }),
        ...(bitrate.learn !== undefined && { learnMs: bitrate.learn }),
      },
    }),
    ...(fps !== undefined && {
      fps: {
        ...(fps.minRatio !== undefined && { minRatio: fps.minRatio }),
        ...(fps.for !== undefined && { forMs: fps.for }),
        ...(fps.source !== undefined && { sourceFps: fps.source }),
        ...(fps.learn !== undefined && { learnMs: fps.learn }),
      },
    }),
    ...(input.warmup !== undefined && { warmupMs: input.warmup }),
  };
}

/** Applies the type's defaults. The name defaults to the type (names are unique per stream). */
export function resolveCheck(check: CheckInput): CheckSpec {
  const defaults = CHECK_DEFAULTS[check.type];
  const thresholdsGiven = check.unhealthyAfter !== undefined || check.failureThreshold !== undefined;
  const unhealthyAfterMs = thresholdsGiven ? check.unhealthyAfter : defaults.unhealthyAfterMs;
  const failureThreshold = thresholdsGiven ? check.failureThreshold : defaults.failureThreshold;
  const every = check.type === 'content' ? check.every : undefined;
  return {
    type: check.type,
    name: check.name ?? check.type,
    intervalMs: every ?? check.interval ?? defaults.intervalMs,
    timeoutMs: check.timeout ?? defaults.timeoutMs,
    informational: check.informational ?? false,
    ...(unhealthyAfterMs !== undefined && { unhealthyAfterMs }),
    ...(failureThreshold !== undefined && { failureThreshold }),
    successThreshold: check.successThreshold ?? 1,
    settings: settingsOf(check),
  };
}
