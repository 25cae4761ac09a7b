/**
 * Health checks: the schema of one entry of `streams[].checks`, its per-type defaults, and its
 * resolution to a `CheckSpec`. Type-specific fields end up in `settings` (shapes in
 * domain/check-settings.ts).
 */
import { z } from 'zod';
import { CHECK_DEFAULTS } from '../domain/check-defaults.js';
import type { ProgressDegradedSettings } from '../domain/check-settings.js';
import type { CheckCommon, CheckSpec } from '../domain/stream-spec.js';
import { byteSize, duration, httpUrl, positiveInt, text } from './fields.js';
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

/** The check of the input's type: `common`, with the type's settings (keys in the order stored). */
function withSettings(check: CheckInput, common: CheckCommon): CheckSpec {
  switch (check.type) {
    case 'progress':
      return { type: 'progress', ...common, settings: check.degraded === undefined ? {} : { degraded: degradedSettings(check.degraded) } };
    case 'process':
      return {
        type: 'process',
        ...common,
        settings: {
          ...(check.maxCpuPercent !== undefined && { maxCpuPercent: check.maxCpuPercent }),
          ...(check.maxRss !== undefined && { maxRssBytes: check.maxRss }),
          forMs: check.for ?? DEFAULT_PROCESS_FOR_MS,
        },
      };
    case 'ffprobe':
      return { type: 'ffprobe', ...common, settings: { url: check.url, expect: { ...check.expect } } };
    case 'http':
      return { type: 'http', ...common, settings: { url: check.url, status: check.status ?? 200, conditions: check.conditions ?? [] } };
    case 'rtmp-server':
      return { type: 'rtmp-server', ...common, settings: check.minBitrateKbps === undefined ? {} : { minBitrateKbps: check.minBitrateKbps } };
    case 'content':
      return {
        type: 'content',
        ...common,
        settings: {
          durationMs: check.duration ?? DEFAULT_CONTENT_SAMPLE_MS,
          black: check.black ?? true,
          freeze: check.freeze ?? true,
          silence: check.silence ?? true,
        },
      };
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
  return withSettings(check, {
    name: check.name ?? check.type,
    intervalMs: every ?? check.interval ?? defaults.intervalMs,
    timeoutMs: check.timeout ?? defaults.timeoutMs,
    informational: check.informational ?? false,
    ...(unhealthyAfterMs !== undefined && { unhealthyAfterMs }),
    ...(failureThreshold !== undefined && { failureThreshold }),
    successThreshold: check.successThreshold ?? 1,
  });
}
