/**
 * Engine pool routes (DESIGN.md §4.3). Field names are snake_case, like the Acestream
 * orchestrator's `/engines` these replace; times are ISO 8601 in UTC (`…Z`), null when never.
 *
 *   GET    /api/v1/engines               200 [EngineDto] (a bare array)
 *   GET    /api/v1/engines/:id           200 EngineDto; 404 ENGINE_NOT_FOUND
 *   POST   /api/v1/engines               201 EngineDto {id, host, port, kind?, path?, conditions?, capacity?, labels?};
 *                                        400 INVALID_ENGINE, 409 ENGINE_EXISTS
 *   DELETE /api/v1/engines/:id[?force=true]  204; 404; 409 ENGINE_IN_USE (claims held; force drops them),
 *                                        409 ENGINE_OWNED_ELSEWHERE (defined in the config file)
 *   POST   /api/v1/engines/acquire       200 {claim_id, acquired_at, engine: EngineDto}, body {labels?, stream?};
 *                                        503 ENGINE_POOL_EMPTY | NO_ENGINE_MATCHES_LABELS | NO_HEALTHY_ENGINE | ENGINES_AT_CAPACITY
 *   POST   /api/v1/engines/release       200 EngineDto, body {claim_id}; 404 CLAIM_NOT_FOUND (unknown or already released)
 *
 * Release takes the claim id (not the engine id): an engine holds several streams, and a claim
 * released twice must not free a second slot. Engine errors are answered here with
 * ENGINE_ERROR_STATUS (until http/errors.ts lists the codes); everything else goes to the app's
 * error handler.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ENGINE_ERROR_STATUS, ClaimNotFoundError, InvalidEngineError } from '../../domain/engines/engine-errors.js';
import { StreamwardenError } from '../../domain/errors.js';
import type { Redactor } from '../../domain/redact.js';
import { parseAcquireBody, parseEngineBody } from '../../config/engine-body.js';
import type { EngineRegistry, EngineView } from '../../engines/engine-registry.js';
import { errorBody } from '../errors.js';
import { errorResponses, nullable } from '../schemas.js';
import { isoOrNull } from '../iso-time.js';

export interface EngineRouteDeps {
  readonly engines: EngineRegistry;
  /** Masks secrets in error messages. Default: identity (engine errors carry no secrets). */
  readonly redact?: Redactor;
}

export const engineSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    path: nullable('string'),
    source: { type: 'string' },
    health_status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy', 'unknown'] },
    health_since: { type: 'string' },
    last_health_check: nullable('string'),
    last_error: nullable('string'),
    last_error_at: nullable('string'),
    consecutive_failures: { type: 'integer' },
    last_stream_usage: nullable('string'),
    streams: { type: 'array', items: { type: 'string' } },
    stream_count: { type: 'integer' },
    capacity: { type: 'integer' },
    free_slots: { type: 'integer' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const engineIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' } },
} as const;


export interface EngineDto {
  id: string;
  kind: string;
  host: string;
  port: number;
  path: string | null;
  source: string;
  health_status: string;
  health_since: string;
  last_health_check: string | null;
  last_error: string | null;
  last_error_at: string | null;
  consecutive_failures: number;
  last_stream_usage: string | null;
  streams: string[];
  stream_count: number;
  capacity: number;
  free_slots: number;
  labels: Record<string, string>;
}

export function toEngineDto(engine: EngineView, redact: Redactor = (text) => text): EngineDto {
  const { spec, health } = engine;
  return {
    id: spec.id,
    kind: spec.kind,
    host: spec.host,
    port: spec.port,
    path: spec.kind === 'http' ? (spec.path ?? '/') : null,
    source: engine.source,
    health_status: health.status,
    health_since: new Date(health.since).toISOString(),
    last_health_check: isoOrNull(health.lastCheckAt),
    last_error: health.lastError === undefined ? null : redact(health.lastError),
    last_error_at: isoOrNull(health.lastErrorAt),
    consecutive_failures: health.consecutiveFailures,
    last_stream_usage: isoOrNull(engine.lastStreamUsage),
    streams: engine.claims.map((claim) => claim.stream ?? claim.claimId),
    stream_count: engine.claims.length,
    capacity: spec.capacity,
    free_slots: Math.max(0, spec.capacity - engine.claims.length),
    labels: { ...spec.labels },
  };
}

export function registerEngineRoutes(app: FastifyInstance, deps: EngineRouteDeps): void {
  const { engines } = deps;
  const redact = deps.redact ?? ((text: string) => text);
  const list = { type: 'array', items: engineSchema } as const;

  /** Engine errors get their status here; anything else is rethrown to the app's handler. */
  const answer = async (reply: FastifyReply, work: () => unknown): Promise<unknown> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StreamwardenError && ENGINE_ERROR_STATUS[error.code] !== undefined) {
        const issues = error instanceof InvalidEngineError ? error.issues.map(redact) : undefined;
        return reply.code(ENGINE_ERROR_STATUS[error.code] ?? 500).send(errorBody(error.code, redact(error.message), issues));
      }
      throw error;
    }
  };

  app.get('/api/v1/engines', { schema: { response: { 200: list, ...errorResponses } } }, () =>
    engines.list().map((engine) => toEngineDto(engine, redact)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/engines/:id',
    { schema: { params: engineIdParams, response: { 200: engineSchema, ...errorResponses } } },
    (request, reply) => answer(reply, () => toEngineDto(engines.get(request.params.id), redact)),
  );

  app.post<{ Body: unknown }>(
    '/api/v1/engines',
    { schema: { response: { 201: engineSchema, ...errorResponses } } },
    (request, reply) =>
      answer(reply, () => {
        const spec = parseEngineBody(request.body);
        const engine = engines.add(spec, 'api');
        return reply.code(201).header('location', `/api/v1/engines/${spec.id}`).send(toEngineDto(engine, redact));
      }),
  );

  app.delete<{ Params: { id: string }; Querystring: { force?: boolean } }>(
    '/api/v1/engines/:id',
    {
      schema: {
        params: engineIdParams,
        querystring: { type: 'object', properties: { force: { type: 'boolean', default: false } } },
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    (request, reply) =>
      answer(reply, () => {
        engines.remove(request.params.id, { force: request.query.force === true });
        return reply.code(204).send();
      }),
  );

  app.post<{ Body: unknown }>(
    '/api/v1/engines/acquire',
    {
      schema: {
        response: {
          200: { type: 'object', properties: { claim_id: { type: 'string' }, acquired_at: { type: 'string' }, engine: engineSchema } },
          ...errorResponses,
        },
      },
    },
    (request, reply) =>
      answer(reply, () => {
        // Parse first, then claim synchronously: nothing awaits between choosing and claiming.
        const claim = engines.acquireOrThrow(parseAcquireBody(request.body));
        return { claim_id: claim.claimId, acquired_at: new Date(claim.at).toISOString(), engine: toEngineDto(claim.engine, redact) };
      }),
  );

  app.post<{ Body: unknown }>(
    '/api/v1/engines/release',
    { schema: { response: { 200: engineSchema, ...errorResponses } } },
    (request, reply) =>
      answer(reply, () => {
        const body = request.body;
        const claimId = typeof body === 'object' && body !== null && 'claim_id' in body ? body.claim_id : undefined;
        if (typeof claimId !== 'string' || claimId === '') throw new InvalidEngineError(['claim_id: a claim id from /api/v1/engines/acquire is required']);
        if (claimId.length > 200) throw new ClaimNotFoundError(claimId.slice(0, 40));
        return toEngineDto(engines.release(claimId), redact);
      }),
  );
}
