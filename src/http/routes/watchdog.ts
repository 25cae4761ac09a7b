/**
 * GET /api/v1/watchdog/status — per stream: consecutive unhealthy, last healthy time, last
 * recovery time, recovery count, check interval (DESIGN.md §4.3), plus the failing checks with
 * their last messages, the degraded rules breached and the recovery policy's latest verdict.
 * Both layers contribute: the fast layer's automatic restarts and the watchdog's actions.
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
      streams: deps.supervisor.list().map((stream) => toWatchdogStreamDto(stream, deps.redact, deps.watchdog?.view(stream.spec.id))),
    }),
  );
}
