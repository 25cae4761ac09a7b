/**
 * GET /api/v1/events — Server-Sent Events: `state`, `health`, `recovery` and `notification`
 * events, each with an `id:`. A client reconnecting with `Last-Event-ID` (or `?lastEventId=`)
 * first gets every event it missed from the journal; when the journal no longer holds them (or
 * the id is from another daemon run) it gets a `resync` event first, meaning "re-read the state".
 * `?stream=ID` keeps only that stream's events. `?recent=N` on a first connection (no
 * Last-Event-ID) sends the last N events still held first, so a page opening now shows what just
 * happened; a reconnect carries its Last-Event-ID and gets only what it missed. Heartbeat
 * comments, slow-client bounds: sse.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import type { ApiEvent } from '../../events/event-journal.js';
import { errorResponses, eventsQuery } from '../schemas.js';
import { DEFAULT_SSE_OPTIONS, formatControl, SseConnection, type SseSink } from '../sse.js';

interface EventsQuery {
  stream?: string;
  lastEventId?: string;
  recent?: number;
}

const LAST_EVENT_ID = /^[0-9]{1,16}$/;

function parseLastEventId(header: string | string[] | undefined, query: string | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? query;
  return value !== undefined && LAST_EVENT_ID.test(value) ? Number(value) : undefined;
}

export function registerEventRoutes(app: FastifyInstance, deps: AppDeps): void {
  const options = { ...DEFAULT_SSE_OPTIONS, ...deps.sse };
  const connections = new Set<SseConnection>();

  // fastify waits for open connections on close: end every stream first.
  app.addHook('preClose', (done) => {
    for (const connection of [...connections]) connection.end();
    done();
  });

  app.get<{ Querystring: EventsQuery }>(
    '/api/v1/events',
    { schema: { querystring: eventsQuery, response: errorResponses } },
    (request, reply) => {
      const lastId = parseLastEventId(request.headers['last-event-id'], request.query.lastEventId);
      const only = request.query.stream;
      const wanted = (event: ApiEvent) => only === undefined || event.streamId === only;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const sink: SseSink = {
        write: (chunk) => raw.write(chunk),
        onDrain: (listener) => raw.on('drain', listener),
        end: () => raw.end(),
        destroy: () => raw.destroy(),
      };

      let unsubscribe = () => {};
      const connection = new SseConnection(sink, deps.clock, options, () => {
        unsubscribe();
        connections.delete(connection);
      });
      connections.add(connection);
      raw.on('close', () => connection.gone());

      connection.open();
      if (lastId !== undefined) {
        const replay = deps.journal.since(lastId);
        if (!replay.complete) connection.write(formatControl('resync', { reason: 'events after the given id are no longer available', lastId: deps.journal.lastId }));
        for (const event of replay.events) if (wanted(event)) connection.send(event);
      } else if (request.query.recent !== undefined) {
        for (const event of deps.journal.recent(request.query.recent, wanted)) connection.send(event);
      }
      // Replay and subscription happen in one synchronous step: no event can fall between them.
      if (!connection.isClosed) {
        unsubscribe = deps.journal.subscribe((event) => {
          if (wanted(event)) connection.send(event);
        });
      }
    },
  );
}
