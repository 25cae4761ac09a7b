/** Stream routes of the REST API (DESIGN.md §4.3). */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { toStreamDto } from '../stream-dto.js';

export function registerStreamRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/v1/streams', () => deps.supervisor.list().map((stream) => toStreamDto(stream.status())));
}
