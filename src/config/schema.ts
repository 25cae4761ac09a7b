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
import { engineLabelsSchema, engineSpecSchema } from './engine-body.js';

export const RECOVERY_ACTIONS = ['restart', 'drop-publisher', 'next-input', 'notify'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const FAILOVER_MODES = ['priority', 'rotate'] as const;
export const DROP_PUBLISHER_TARGETS = ['auto', 'check', 'input', 'output'] as const;

const serverSchema = z.strictObject({
  listen: listen.optional(),
  token: text.optional(),
  /** What /readyz looks at besides the daemon itself. */
  readiness: z.strictObject({ failOnCrashloop: z.boolean().optional() }).nullish(),
});

const storageSchema = z.strictObject({ path: text.optional() });

/** An SSE controller feeding desired state (sources/controller-source.ts). */
const controllerSchema = z.strictObject({
  url: httpUrl,
  token: text.optional(),
  heartbeatTimeout: duration({ positive: true }).optional(),
  reconnectDelay: duration({ positive: true }).optional(),
});

const ffmpegSchema = z.strictObject({ path: text.optional(), ffprobePath: text.optional() });

const rtmpServerSchema = z.discriminatedUnion('type', [
  z.strictObject({ id, type: z.literal('nginx-rtmp'), statUrl: httpUrl, controlUrl: httpUrl }),
  z.strictObject({ id, type: z.literal('srs'), apiUrl: httpUrl }),
  z.strictObject({ id, type: z.literal('mediamtx'), apiUrl: httpUrl }),
]);

const minSeverity = z.enum(SEVERITIES).optional();

/** Shared by every notifier type: routing, message templates, and the destination's rate limit. */
const notifierCommon = {
  id,
  minSeverity,
  /** Gets every stream's notices (and the daemon's), not only those of streams naming it. */
  global: z.boolean().optional(),
  templates: z.strictObject({ title: text.optional(), item: text.optional() }).optional(),
  /** Overrides the provider's default limit: `capacity` requests per `per`. */
  rateLimit: z.strictObject({ capacity: positiveInt, per: duration({ positive: true }) }).optional(),
};

const notifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...notifierCommon, type: z.literal('discord'), url: httpUrl }),
  z.strictObject({ ...notifierCommon, type: z.literal('slack'), url: httpUrl }),
  z.strictObject({ ...notifierCommon, type: z.literal('webhook'), url: httpUrl }),
  z.strictObject({
    ...notifierCommon,
    type: z.literal('telegram'),
    botToken: text,
    // Telegram chat ids are numbers (often negative) or "@channel" names.
    chatId: z
      .union([text, z.int()], { error: (issue) => (issue.input === undefined ? undefined : 'expected a chat id (a number or "@name")') })
      .transform(String),
    /** The Bot API base URL. @default https://api.telegram.org */
    apiUrl: httpUrl.optional(),
  }),
]);

/** Alert semantics (src/notify/alert-manager.ts): how long a condition holds before it fires, reminders, grouping. */
const alertsSchema = z.strictObject({
  for: z
    .strictObject({
      unhealthy: duration().optional(),
      degraded: duration().optional(),
      crashloop: duration().optional(),
      engineUnhealthy: duration().optional(),
    })
    .optional(),
  /** "0s" turns a severity's reminders off. */
  reminders: z.strictObject({ critical: duration().optional(), warning: duration().optional() }).optional(),
  groupWindow: duration().optional(),
  sendResolved: z.boolean().optional(),
});

const isoTime = z.string({ error: 'expected an ISO 8601 time like "2026-01-31T22:00:00Z"' }).transform((value, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time like "2026-01-31T22:00:00Z"' });
    return z.NEVER;
  }
  return ms;
});

/** Checks run but nothing is sent: for one stream, or the whole daemon when `stream` is absent. */
const maintenanceSchema = z
  .strictObject({ stream: id.optional(), start: isoTime, end: isoTime })
  .superRefine((window, ctx) => {
    if (window.end <= window.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  });

/** How the engine pool is polled (src/engines/engine-poller.ts) and judged (domain/engines/engine-health.ts). */
const enginePollingSchema = z.strictObject({
  interval: duration({ positive: true }).optional(),
  timeout: duration({ positive: true }).optional(),
  maxInFlight: positiveInt.optional(),
  failureThreshold: positiveInt.optional(),
  successThreshold: positiveInt.optional(),
  unparsableThreshold: positiveInt.optional(),
  grace: duration().optional(),
});

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

/**
 * Whose publisher the `drop-publisher` action drops (domain/watchdog/drop-target.ts): `auto`
 * (default), `check` (the failing check's RTMP URL), `input` (the active input) or `output`
 * (our own session). A bare string is the target.
 */
const dropPublisherSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { target: value } : value),
  z.strictObject(
    {
      target: z.enum(DROP_PUBLISHER_TARGETS, { error: (issue) => (issue.input === undefined ? `is required: one of ${DROP_PUBLISHER_TARGETS.join(' | ')}` : undefined) }),
    },
    { error: typeError(`expected ${DROP_PUBLISHER_TARGETS.join(', ')} or {target}`) },
  ),
);

/**
 * The stream runs on an engine of the pool (any healthy one, or one with every label): it is
 * acquired at start, `{engine}` (host:port), `{engine.host}` and `{engine.port}` in the inputs,
 * output, encode or args become its address, and the stream moves when the engine turns unhealthy.
 */
const streamEngineSchema = z.strictObject(
  { labels: engineLabelsSchema.optional() },
  { error: typeError('expected {labels}, e.g. {labels: {region: eu}}, or {} for any engine') },
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
  dropPublisher: dropPublisherSchema.optional(),
  engine: streamEngineSchema.optional(),
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
    alerts: alertsSchema.nullish(),
    maintenance: z.array(maintenanceSchema).nullish(),
    engines: z.array(engineSpecSchema).nullish(),
    enginePolling: enginePollingSchema.nullish(),
    streams: z.array(streamSchema).nullish(),
  },
  { error: typeError('expected a mapping with server, storage, controller, ffmpeg, rtmpServers, notifiers, alerts, maintenance, engines, enginePolling and streams') },
);

export type ConfigInput = z.output<typeof configSchema>;
export type StreamInput = z.output<typeof streamSchema>;
