/**
 * JSON schemas of the routes. Response schemas double as an allow-list: fastify serialises only
 * the declared fields, so a field added to an internal object can never leak by accident.
 *
 * Stream bodies (POST / PUT) are declared only as objects here: the configuration schema
 * (zod, see stream-body.ts) validates them, because it reports every problem with its path and
 * shares its rules and messages with the config file.
 */
import { STREAM_ID_PATTERN } from '../domain/stream-spec.js';

export const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        issues: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: STREAM_ID_PATTERN.source } },
} as const;

const progressSchema = {
  type: 'object',
  properties: {
    fps: nullable('number'),
    bitrateBps: nullable('number'),
    speed: nullable('number'),
    frames: nullable('number'),
    outTimeSeconds: nullable('number'),
  },
} as const;

const streamProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  desired: { type: 'string' },
  state: { type: 'string' },
  health: { type: 'string' },
  pid: nullable('integer'),
  restarts: { type: 'integer' },
  uptimeSeconds: { type: 'number' },
  lastError: nullable('string'),
  progress: progressSchema,
  activeInput: nullable('string'),
  lastCheckAt: nullable('string'),
  engine: nullable('string'),
  preview: { anyOf: [{ type: 'object', properties: { hls: { type: 'string' } } }, { type: 'null' }] },
} as const;

export const streamSchema = { type: 'object', properties: streamProperties } as const;

const runSummaryProperties = {
  runId: { type: 'integer' },
  pid: nullable('integer'),
  startedAt: { type: 'string' },
  endedAt: nullable('string'),
  durationSeconds: { type: 'number' },
  reason: nullable('string'),
  exitCode: nullable('integer'),
  signal: nullable('string'),
  lastError: nullable('string'),
} as const;

const runSummarySchema = { type: 'object', properties: runSummaryProperties } as const;

export const runSchema = {
  type: 'object',
  properties: {
    ...runSummaryProperties,
    firstLines: { type: 'array', items: { type: 'string' } },
    lastLines: { type: 'array', items: { type: 'string' } },
  },
} as const;

const checkSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    intervalSeconds: nullable('number'),
    timeoutSeconds: nullable('number'),
    informational: { type: 'boolean' },
    status: { type: 'string' },
    lastMessage: nullable('string'),
    lastCheckedAt: nullable('string'),
    lastSuccessAt: nullable('string'),
    failingSince: nullable('string'),
    consecutiveFailures: { type: 'integer' },
    skippedBeats: { type: 'integer' },
    note: nullable('string'),
  },
} as const;

const recoverySchema = {
  type: 'object',
  properties: {
    cause: { type: 'string' },
    locus: { type: 'string' },
    detail: { type: 'string' },
    action: { type: 'string' },
    actions: {
      type: 'array',
      items: { type: 'object', properties: { type: { type: 'string' }, reason: { type: 'string' }, at: { type: 'string' } } },
    },
    failedAt: { type: 'string' },
    detectedAt: { type: 'string' },
    detectedAfterSeconds: { type: 'number' },
    recoveredAt: nullable('string'),
    recoveredAfterSeconds: nullable('number'),
  },
} as const;

const inputSchema = {
  type: 'object',
  properties: { mode: { type: 'string' }, active: { type: 'integer' }, count: { type: 'integer' }, switches: { type: 'integer' } },
} as const;

export const streamDetailSchema = {
  type: 'object',
  properties: {
    ...streamProperties,
    healthReason: { type: 'string' },
    // Free-form (a stream entry), already redacted field by field.
    spec: { type: 'object', additionalProperties: true },
    checks: { type: 'array', items: checkSchema },
    recoveries: { type: 'array', items: recoverySchema },
    input: { anyOf: [inputSchema, { type: 'null' }] },
    currentRun: { anyOf: [runSummarySchema, { type: 'null' }] },
    recentRuns: { type: 'array', items: runSummarySchema },
  },
} as const;

export const streamBodySchema = { type: 'object' } as const;

export const logsQuery = {
  type: 'object',
  properties: { lines: { type: 'integer', minimum: 1, maximum: 1_000, default: 100 } },
} as const;

export const logsSchema = {
  type: 'object',
  properties: {
    streamId: { type: 'string' },
    runId: nullable('integer'),
    lines: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const watchdogSchema = {
  type: 'object',
  properties: {
    generatedAt: { type: 'string' },
    streams: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          state: { type: 'string' },
          desired: { type: 'string' },
          health: { type: 'string' },
          consecutiveUnhealthy: { type: 'integer' },
          lastHealthyAt: nullable('string'),
          lastRecoveryAt: nullable('string'),
          recoveryCount: { type: 'integer' },
          checkIntervalSeconds: nullable('number'),
          stallTimeoutSeconds: { type: 'number' },
          startTimeoutSeconds: { type: 'number' },
          healthReason: { type: 'string' },
          watchdog: { type: 'boolean' },
          failingChecks: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                type: { type: 'string' },
                informational: { type: 'boolean' },
                message: { type: 'string' },
                failingSince: nullable('string'),
                consecutiveFailures: { type: 'integer' },
              },
            },
          },
          degraded: { type: 'array', items: { type: 'string' } },
          decision: nullable('string'),
          crashloopSince: nullable('string'),
        },
      },
    },
  },
} as const;

export const healthQuery = {
  type: 'object',
  properties: { verbose: { type: 'string' } },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['pass', 'warn', 'fail'] },
    failing: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, message: { type: 'string' } } },
    },
    components: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          kind: { type: 'string' },
          status: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const eventsQuery = {
  type: 'object',
  properties: {
    /** Only events about this stream. */
    stream: { type: 'string', pattern: STREAM_ID_PATTERN.source },
    /** For clients that cannot set the Last-Event-ID header. */
    lastEventId: { type: 'string', pattern: '^[0-9]{1,16}$' },
    /** On a first connection (no Last-Event-ID): the last N events the journal holds come first. */
    recent: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;
