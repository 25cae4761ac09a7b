/**
 * GET /api/v1/watchdog/status — per stream: consecutive unhealthy, last healthy time, last
 * recovery time, recovery count, check interval (DESIGN.md §4.3). Filled from the fast layer
 * (the stream supervisors) for now; null where nothing is known yet.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { errorResponses, watchdogSchema } from '../schemas.js';
import { toWatchdogStreamDto, type WatchdogStatusDto } from '../stream-dto.js';

export function registerWatchdogRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/watchdog/status',
    { schema: { response: { 200: watchdogSchema, ...errorResponses } } },
    (): WatchdogStatusDto => ({
      generatedAt: new Date(deps.clock.now()).toISOString(),
      streams: deps.supervisor.list().map(toWatchdogStreamDto),
    }),
  );
}
