/** Kubernetes-style health endpoints. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/livez', async (_request, reply) => {
    const live = deps.isLive();
    return reply.code(live ? 200 : 503).send({ status: live ? 'pass' : 'fail' });
  });
}
