/**
 * GET /engines — the Acestream orchestrator's engine list, for its users' scripts (an alias of
 * GET /api/v1/engines, and like it a read open without the token). A bare array of
 *
 *   { "container_id", "container_name", "host", "port", "health_status": "healthy" | "unhealthy" | "unknown",
 *     "last_health_check", "last_stream_usage", "streams": [stream ids] }
 *
 * `container_id` and `container_name` are the engine's id (our engines are not containers); times
 * are ISO 8601 in UTC with milliseconds (`2023-09-23T13:45:30.123Z`), null when never. The
 * orchestrator knows three health values: an engine we judge `degraded` (it answers, but with
 * errors) is `unhealthy` there ("not responding or returning errors").
 */
import type { FastifyInstance } from 'fastify';
import type { EngineRegistry, EngineView } from '../../engines/engine-registry.js';
import { errorResponses, nullable } from '../schemas.js';
import { isoOrNull } from '../iso-time.js';

export interface SeedEngineDto {
  container_id: string;
  container_name: string;
  host: string;
  port: number;
  health_status: 'healthy' | 'unhealthy' | 'unknown';
  last_health_check: string | null;
  last_stream_usage: string | null;
  streams: string[];
}

const seedEngineList = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      container_id: { type: 'string' },
      container_name: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'integer' },
      health_status: { type: 'string', enum: ['healthy', 'unhealthy', 'unknown'] },
      last_health_check: nullable('string'),
      last_stream_usage: nullable('string'),
      streams: { type: 'array', items: { type: 'string' } },
    },
  },
} as const;


export function toSeedEngineDto(engine: EngineView): SeedEngineDto {
  const { spec, health } = engine;
  return {
    container_id: spec.id,
    container_name: spec.id,
    host: spec.host,
    port: spec.port,
    health_status: health.status === 'degraded' ? 'unhealthy' : health.status,
    last_health_check: isoOrNull(health.lastCheckAt),
    last_stream_usage: isoOrNull(engine.lastStreamUsage),
    streams: engine.claims.map((claim) => claim.stream ?? claim.claimId),
  };
}

export function registerSeedEngineRoutes(app: FastifyInstance, engines: EngineRegistry): void {
  app.get('/engines', { schema: { response: { 200: seedEngineList, ...errorResponses } } }, () => engines.list().map(toSeedEngineDto));
}
