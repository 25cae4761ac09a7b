/**
 * Fake SRS and MediaMTX control APIs (on the scripted HTTP server) holding a list of
 * publishers, with the documented list and kick / delete endpoints, and switches that make a
 * given endpoint answer malformed JSON, an HTTP 500, an API error code, or hang.
 */
import { startFakeHttpServer, type FakeHttpServer, type FakeReply, type RecordedRequest } from './fake-http-server.js';

export type Fault = 'malformed' | 'http-500' | 'api-error' | 'hang' | undefined;

export interface FakePublisher {
  app: string;
  name: string;
  id: string;
  ip: string;
  bytes: number;
  kbps: number;
}

export interface FakeMediaServer {
  readonly url: string;
  readonly http: FakeHttpServer;
  publishers: FakePublisher[];
  /** Faults by path prefix, e.g. `/api/v1/streams`. */
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

function faultReply(fault: Fault): FakeReply | undefined {
  switch (fault) {
    case 'malformed':
      return { status: 200, body: '{"code":0,"streams":[{"name":' };
    case 'http-500':
      return { status: 500, body: 'internal error' };
    case 'api-error':
      return { status: 200, body: { code: 1000, error: 'system error' } };
    case 'hang':
      return { hang: true };
    case undefined:
      return undefined;
  }
}

function faultFor(faults: Map<string, Fault>, request: RecordedRequest): FakeReply | undefined {
  for (const [prefix, fault] of faults) if (request.path.startsWith(prefix)) return faultReply(fault);
  return undefined;
}

type ServerState = Pick<FakeMediaServer, 'publishers' | 'faults'>;

/** The state itself becomes the handle, so a test's `server.publishers = …` is what the fake serves. */
function asServer(state: ServerState, http: FakeHttpServer): FakeMediaServer {
  return Object.assign(state, { url: http.url, http, close: () => http.close() });
}

/** SRS v5-shaped `/api/v1/streams`, `/api/v1/clients`, `DELETE /api/v1/clients/{id}`. */
export async function startFakeSrs(): Promise<FakeMediaServer> {
  const state: ServerState = { publishers: [], faults: new Map() };
  const http = await startFakeHttpServer((request) => {
    const fault = faultFor(state.faults, request);
    if (fault !== undefined) return fault;
    if (request.method === 'GET' && request.path === '/api/v1/streams') {
      const count = Number(request.query.get('count') ?? '10');
      return {
        body: {
          code: 0,
          server: 'vid-fake',
          streams: state.publishers.slice(0, count).map((p, i) => ({
            id: `vid-${i}`,
            name: p.name,
            vhost: 'vid-vhost',
            app: p.app,
            url: `/${p.app}/${p.name}`,
            live_ms: Date.now(),
            clients: 1,
            recv_bytes: p.bytes,
            send_bytes: 0,
            kbps: { recv_30s: p.kbps, send_30s: 0 },
            publish: { active: true, cid: p.id },
          })),
        },
      };
    }
    if (request.method === 'GET' && request.path === '/api/v1/clients') {
      return {
        body: {
          code: 0,
          clients: state.publishers.map((p) => ({ id: p.id, ip: p.ip, publish: true, alive: 12.5, type: 'fmle-publish', name: p.name })),
        },
      };
    }
    const del = /^\/api\/v1\/clients\/([^/]+)$/.exec(request.path);
    if (request.method === 'DELETE' && del !== null) {
      const id = decodeURIComponent(del[1] ?? '');
      const before = state.publishers.length;
      state.publishers = state.publishers.filter((p) => p.id !== id);
      return { body: { code: state.publishers.length < before ? 0 : 2049 } };
    }
    return { status: 404, body: { code: 404 } };
  });
  return asServer(state, http);
}

/**
 * MediaMTX-shaped `/v3/paths/list`, `/v3/rtmpconns/list` (paginated `pageSize` items a page
 * whatever the client asks, to exercise pagination) and `POST /v3/rtmpconns/kick/{id}`.
 */
export async function startFakeMediaMtx(pageSize = 2): Promise<FakeMediaServer> {
  const state: ServerState = { publishers: [], faults: new Map() };
  const paginate = <T>(items: T[], request: RecordedRequest): { pageCount: number; itemCount: number; items: T[] } => {
    const page = Number(request.query.get('page') ?? '0');
    return {
      pageCount: Math.max(1, Math.ceil(items.length / pageSize)),
      itemCount: items.length,
      items: items.slice(page * pageSize, (page + 1) * pageSize),
    };
  };
  const http = await startFakeHttpServer((request) => {
    const fault = faultFor(state.faults, request);
    if (fault !== undefined) return fault;
    if (request.method === 'GET' && request.path === '/v3/paths/list') {
      return {
        body: paginate(
          state.publishers.map((p) => ({
            name: `${p.app}/${p.name}`,
            confName: 'all_others',
            source: { type: 'rtmpConn', id: p.id },
            ready: true,
            readyTime: '2024-05-01T10:00:00Z',
            tracks: ['H264', 'MPEG-4 Audio'],
            bytesReceived: p.bytes,
            bytesSent: 0,
            readers: [],
          })),
          request,
        ),
      };
    }
    if (request.method === 'GET' && request.path === '/v3/rtmpconns/list') {
      return {
        body: paginate(
          state.publishers.map((p) => ({
            id: p.id,
            created: '2024-05-01T10:00:00Z',
            remoteAddr: `${p.ip}:50000`,
            state: 'publish',
            path: `${p.app}/${p.name}`,
            query: '',
            bytesReceived: p.bytes,
            bytesSent: 0,
          })),
          request,
        ),
      };
    }
    const kick = /^\/v3\/rtmpconns\/kick\/([^/]+)$/.exec(request.path);
    if (request.method === 'POST' && kick !== null) {
      const id = decodeURIComponent(kick[1] ?? '');
      const before = state.publishers.length;
      state.publishers = state.publishers.filter((p) => p.id !== id);
      return state.publishers.length < before ? { status: 200, body: '' } : { status: 404, body: { status: 'error', error: 'connection not found' } };
    }
    return { status: 404, body: { status: 'error', error: 'not found' } };
  });
  return asServer(state, http);
}
