/**
 * The daemon's HTTP surface: one fastify app, routes registered per area, one error mapping,
 * one authentication hook.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppDeps } from './app-deps.js';
import { createTokenCheck } from './auth.js';
import { errorBody, toErrorResponse } from './errors.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerStreamRoutes } from './routes/streams.js';

export type { AppDeps } from './app-deps.js';

/** Request bodies are small JSON documents; anything larger is refused with 413. */
const BODY_LIMIT_BYTES = 256 * 1024;

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  const authorized = createTokenCheck(deps.token);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    if (!authorized(request.headers.authorization)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', 'a valid bearer token is required'));
    }
  });

  app.setErrorHandler(async (error, _request, reply) => {
    const { status, body } = toErrorResponse(error, deps.redact);
    await reply.code(status).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    await reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  registerHealthRoutes(app, deps);
  registerStreamRoutes(app, deps);
  return app;
}
