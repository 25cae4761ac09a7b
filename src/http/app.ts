/**
 * The daemon's HTTP surface: one fastify app, routes registered per area, one error mapping,
 * one authentication hook.
 *
 * Authentication (with server.token set): every write (any method but GET / HEAD / OPTIONS) needs
 * the bearer token; reads stay open, events and verbose health included, because no read carries
 * a secret (every key, token and credential is masked before it leaves the daemon). This lets the
 * dashboard show everything without a token and ask for one only when an action is refused.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ShuttingDownError } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import { createTokenCheck } from './auth.js';
import { errorBody, toErrorResponse } from './errors.js';
import { registerEngineRoutes } from './routes/engines.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHlsPreviewRoutes } from './routes/hls-preview.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerSeedEngineRoutes } from './routes/seed-engines.js';
import { registerSeedHealthRoutes } from './routes/seed-health.js';
import { registerSeedWatchdogRoutes } from './routes/seed-watchdog.js';
import { registerStreamRoutes } from './routes/streams.js';
import { registerUiRoutes } from './routes/ui.js';
import { registerWatchdogRoutes } from './routes/watchdog.js';

export type { AppDeps } from './app-deps.js';

/** Request bodies are small JSON documents (a stream entry); anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes need the token; reads never do (they are masked). */
function needsToken(request: FastifyRequest): boolean {
  return !READ_METHODS.has(request.method);
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  const authorized = createTokenCheck(deps.token);
  // JSON only: a text/plain body is refused with 415 instead of reaching a route as a string.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body is no body (clients often send the header with a bodiless POST /start);
  // anything else goes through fastify's parser, which refuses __proto__ / constructor keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (needsToken(request) && !authorized(request.headers.authorization)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', 'a valid bearer token is required'));
      return;
    }
    if (deps.isShuttingDown() && !READ_METHODS.has(request.method)) throw new ShuttingDownError();
  });

  app.setErrorHandler(async (error, _request, reply) => {
    const { status, body } = toErrorResponse(error, deps.redact);
    await reply.code(status).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    await reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${deps.redact(request.url.split('?')[0] ?? '')}`));
  });

  registerHealthRoutes(app, deps);
  // The shapes of the systems our users come from, so that their scripts keep working.
  registerSeedHealthRoutes(app, deps);
  registerSeedWatchdogRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerHlsPreviewRoutes(app, deps);
  registerWatchdogRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  registerUiRoutes(app, deps.webDir === undefined ? {} : { dir: deps.webDir });
  if (deps.engines) {
    registerEngineRoutes(app, { engines: deps.engines, redact: deps.redact });
    registerSeedEngineRoutes(app, deps.engines);
  }
  return app;
}
