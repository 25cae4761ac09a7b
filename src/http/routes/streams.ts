/**
 * Stream routes of the REST API (DESIGN.md §4.3).
 *
 *   GET    /api/v1/streams               200 [StreamDto] (a bare array)
 *   POST   /api/v1/streams               201 StreamDetailDto, Location header; 400 INVALID_STREAM, 409 STREAM_EXISTS
 *   GET    /api/v1/streams/:id           200 StreamDetailDto; 404 STREAM_NOT_FOUND
 *   PUT    /api/v1/streams/:id           200 StreamDetailDto (a changed spec restarts the stream); 400, 404
 *   DELETE /api/v1/streams/:id           204 once its process has exited; 404
 *   POST   /api/v1/streams/:id/start     202 StreamDto: desired running, starting (no-op when running)
 *   POST   /api/v1/streams/:id/stop      202 StreamDto: desired stopped, stopping (no-op when stopped)
 *   POST   /api/v1/streams/:id/restart   202 StreamDto; 409 ILLEGAL_TRANSITION when the stream is wanted stopped
 *   GET    /api/v1/streams/:id/logs      200 {streamId, runId, lines}: the last `lines` (1–1000, default 100) stderr lines, redacted
 *   GET    /api/v1/streams/:id/runs      200 [RunDto]: the current run first, then finished runs, newest first
 *
 * start / stop / restart answer 202 Accepted: the intent is recorded and acted on at once, but
 * the process change completes later (watch /api/v1/events or poll the stream).
 *
 * create / update / delete / start / stop go through the StreamService (reconcile/stream-service.ts):
 * persisted first (owner `api`), applied by the reconciler, answered once applied. A stream owned
 * by the config file or the controller: 409 STREAM_OWNED naming its owner (start / stop are allowed
 * on every stream). A store that cannot take the write: 503 STORE_UNAVAILABLE, nothing changes.
 * restart changes no desired state and is not persisted: it goes to the supervisor.
 */
import type { FastifyInstance } from 'fastify';
import type { StreamSupervisor } from '../../supervisor/stream-supervisor.js';
import type { AppDeps } from '../app-deps.js';
import { parseStreamBody } from '../../config/stream-body.js';
import { toRunDto, toStreamDetailDto, toStreamDto } from '../stream-dto.js';
import { toStreamEntry } from '../../config/stream-entry.js';
import {
  errorResponses,
  idParams,
  logsQuery,
  logsSchema,
  runSchema,
  streamBodySchema,
  streamDetailSchema,
  streamSchema,
} from '../schemas.js';

interface IdParams {
  id: string;
}

export function registerStreamRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { supervisor, redact } = deps;
  const now = () => deps.clock.now();
  const detail = (id: string) => toStreamDetailDto(supervisor.get(id), now(), redact, deps.watchdog?.view(id), deps.engineOf?.(id));
  const summary = (stream: StreamSupervisor) => toStreamDto(stream, redact, deps.watchdog?.view(stream.spec.id), deps.engineOf?.(stream.spec.id));
  const service = deps.streams;

  app.get(
    '/api/v1/streams',
    { schema: { response: { 200: { type: 'array', items: streamSchema }, ...errorResponses } } },
    () => supervisor.list().map(summary),
  );

  app.post<{ Body: unknown }>(
    '/api/v1/streams',
    { schema: { body: streamBodySchema, response: { 201: streamDetailSchema, ...errorResponses } } },
    async (request, reply) => {
      const spec = parseStreamBody(request.body, { references: deps.references, redact, desiredDefault: 'running' });
      await service.create(spec);
      return reply.code(201).header('location', `/api/v1/streams/${spec.id}`).send(detail(spec.id));
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/v1/streams/:id',
    { schema: { params: idParams, response: { 200: streamDetailSchema, ...errorResponses } } },
    (request) => detail(request.params.id),
  );

  app.put<{ Params: IdParams; Body: unknown }>(
    '/api/v1/streams/:id',
    { schema: { params: idParams, body: streamBodySchema, response: { 200: streamDetailSchema, ...errorResponses } } },
    async (request) => {
      const { id } = request.params;
      await service.update(id, (stored) =>
        parseStreamBody(request.body, {
          references: deps.references,
          redact,
          desiredDefault: stored.desired,
          pathId: id,
          stored: toStreamEntry(stored.spec),
        }),
      );
      return detail(id);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/v1/streams/:id',
    { schema: { params: idParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      const { id } = request.params;
      await service.remove(id);
      return reply.code(204).send();
    },
  );

  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post<{ Params: IdParams }>(
      `/api/v1/streams/:id/${action}`,
      { schema: { params: idParams, response: { 202: streamSchema, ...errorResponses } } },
      async (request, reply) => {
        const { id } = request.params;
        if (action === 'restart') await supervisor.restart(id);
        else await service.setDesired(id, action === 'start' ? 'running' : 'stopped');
        return reply.code(202).send(summary(supervisor.get(id)));
      },
    );
  }

  app.get<{ Params: IdParams; Querystring: { lines: number } }>(
    '/api/v1/streams/:id/logs',
    { schema: { params: idParams, querystring: logsQuery, response: { 200: logsSchema, ...errorResponses } } },
    (request) => {
      const stream = supervisor.get(request.params.id);
      const lines = stream.logs();
      return {
        streamId: stream.spec.id,
        runId: stream.runs()[0]?.runId ?? null,
        lines: lines.slice(Math.max(0, lines.length - request.query.lines)).map(redact),
      };
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/v1/streams/:id/runs',
    { schema: { params: idParams, response: { 200: { type: 'array', items: runSchema }, ...errorResponses } } },
    (request) => {
      const at = now();
      return supervisor.get(request.params.id).runs().map((run) => toRunDto(run, at, redact));
    },
  );
}
