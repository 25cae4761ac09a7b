/**
 * The shape of the configuration file (DESIGN.md §4.2). Every object is strict: an unknown key is
 * a typo until proven otherwise. Durations are parsed to ms here; defaults are applied in
 * resolve.ts, and rules that span several entries (references, duplicates, args vs inputs) live in
 * rules.ts so that they are reported even when an entry has other problems.
 */
import { z } from 'zod';
import { checkSchema } from './check-schema.js';
import { duration, httpUrl, id, listen, positiveInt, text, typeError } from './fields.js';
import { DEFAULT_RESTART_POLICY } from '../domain/stream-spec.js';

export const RECOVERY_ACTIONS = ['restart', 'drop-publisher', 'next-input', 'notify'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const FAILOVER_MODES = ['priority', 'rotate'] as const;

const serverSchema = z.strictObject({
  listen: listen.optional(),
  token: text.optional(),
});

const storageSchema = z.strictObject({ path: text.optional() });

/** An SSE controller feeding desired state (sources/controller-source.ts). */
const controllerSchema = z.strictObject({
  url: httpUrl,
  token: text.optional(),
  heartbeatTimeout: duration({ positive: true }).optional(),
});

const ffmpegSchema = z.strictObject({ path: text.optional(), ffprobePath: text.optional() });

const rtmpServerSchema = z.discriminatedUnion('type', [
  z.strictObject({ id, type: z.literal('nginx-rtmp'), statUrl: httpUrl, controlUrl: httpUrl }),
  z.strictObject({ id, type: z.literal('srs'), apiUrl: httpUrl }),
  z.strictObject({ id, type: z.literal('mediamtx'), apiUrl: httpUrl }),
]);

const minSeverity = z.enum(SEVERITIES).optional();

const notifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ id, type: z.literal('discord'), url: httpUrl, minSeverity }),
  z.strictObject({ id, type: z.literal('slack'), url: httpUrl, minSeverity }),
  z.strictObject({ id, type: z.literal('webhook'), url: httpUrl, minSeverity }),
  z.strictObject({
    id,
    type: z.literal('telegram'),
    botToken: text,
    // Telegram chat ids are numbers (often negative) or "@channel" names.
    chatId: z
      .union([text, z.int()], { error: (issue) => (issue.input === undefined ? undefined : 'expected a chat id (a number or "@name")') })
      .transform(String),
    minSeverity,
  }),
]);

/** An input is a URL / path / `lavfi:<graph>`, or `{url, options}` for per-input ffmpeg options. */
const inputSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  z.strictObject({ url: text, options: z.array(text).optional() }, { error: typeError('expected a URL or {url, options}') }),
);

const restartSchema = z.strictObject({
  backoffInitial: duration().optional(),
  backoffMax: duration({ positive: true }).optional(),
  multiplier: z.number().min(1).optional(),
  jitter: z.number().min(0).max(1).optional(),
  resetAfter: duration({ positive: true }).optional(),
  budget: z.strictObject({ restarts: positiveInt.optional(), within: duration({ positive: true }).optional() }).optional(),
}).superRefine((restart, ctx) => {
  const initial = restart.backoffInitial ?? DEFAULT_RESTART_POLICY.backoffInitialMs;
  const max = restart.backoffMax ?? DEFAULT_RESTART_POLICY.backoffMaxMs;
  if (initial > max) {
    const path = [restart.backoffInitial === undefined ? 'backoffMax' : 'backoffInitial'];
    ctx.addIssue({ code: 'custom', path, message: `backoffInitial (${initial} ms) must not exceed backoffMax (${max} ms)` });
  }
});

const stopSchema = z.strictObject({
  interruptGrace: duration().optional(),
  terminateGrace: duration().optional(),
});

/**
 * How `inputs` are used when one fails: `priority` (later inputs are fallbacks; switch back to a
 * better one once it has probed healthy for `returnAfter`) or `rotate` (the motherstream queue:
 * peers in turn, a dropped publisher or a failure moves on, no switching back). A bare string
 * is the mode.
 */
const failoverSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { mode: value } : value),
  z.strictObject(
    {
      mode: z.enum(FAILOVER_MODES).optional(),
      returnAfter: duration().optional(),
      probeInterval: duration({ positive: true }).optional(),
      probeTimeout: duration({ positive: true }).optional(),
    },
    { error: typeError('expected priority, rotate or {mode, returnAfter, probeInterval, probeTimeout}') },
  ),
);

export const streamSchema = z.strictObject({
  id,
  name: text.optional(),
  desired: z.enum(['running', 'stopped']).optional(),
  // Either `args` (raw ffmpeg arguments, no binary) or `inputs` + `output` (+ `encode`).
  args: z.array(text).min(1).optional(),
  inputs: z.array(inputSchema).min(1).optional(),
  output: text.optional(),
  encode: z.array(text).optional(),
  rtmpServer: text.optional(),
  notify: z.array(text).optional(),
  startTimeout: duration({ positive: true }).optional(),
  stallTimeout: duration({ positive: true }).optional(),
  restart: restartSchema.optional(),
  stop: stopSchema.optional(),
  checks: z.array(checkSchema).optional(),
  onUnhealthy: z.array(z.enum(RECOVERY_ACTIONS)).optional(),
  failover: failoverSchema.optional(),
});

/** Top-level sections may be empty (`server:` with everything commented out). */
export const configSchema = z.strictObject(
  {
    server: serverSchema.nullish(),
    storage: storageSchema.nullish(),
    controller: controllerSchema.nullish(),
    ffmpeg: ffmpegSchema.nullish(),
    rtmpServers: z.array(rtmpServerSchema).nullish(),
    notifiers: z.array(notifierSchema).nullish(),
    streams: z.array(streamSchema).nullish(),
  },
  { error: typeError('expected a mapping with server, storage, controller, ffmpeg, rtmpServers, notifiers and streams') },
);

export type ConfigInput = z.output<typeof configSchema>;
export type StreamInput = z.output<typeof streamSchema>;
