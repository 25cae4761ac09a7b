/**
 * The daemon's HTTP surface. For now: liveness and the read-only stream list; the full API of
 * DESIGN.md §4.3 builds on this app.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Supervisor } from '../supervisor/supervisor.js';
import { toStreamDto } from './stream-dto.js';

export interface AppDeps {
  readonly supervisor: Supervisor;
  /** True while the daemon's own timers keep firing (see Heartbeat). */
  readonly isLive: () => boolean;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });

  app.get('/livez', async (_request, reply) => {
    const live = deps.isLive();
    return reply.code(live ? 200 : 503).send({ status: live ? 'pass' : 'fail' });
  });

  app.get('/api/v1/streams', () => deps.supervisor.list().map((stream) => toStreamDto(stream.status())));

  return app;
}
