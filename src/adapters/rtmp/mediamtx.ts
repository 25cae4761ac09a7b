/**
 * MediaMTX (bluenviron/mediamtx) Control API v3:
 * - `GET /v3/paths/list` → `{pageCount, itemCount, items: [{name, source: {type, id} | null,
 *   ready, readyTime, bytesReceived, …}]}` (newer releases also say `available` /
 *   `availableTime` or `online` / `onlineTime`; every spelling is read). A path with a ready source is published; its
 *   name `live/key` maps to app `live`, name `key`.
 * - `GET /v3/rtmpconns/list` → `{items: [{id, remoteAddr, state, path, created, …}]}`, used for
 *   the publisher's address;
 * - `POST /v3/{kind}/kick/{id}` kicks a session: `rtmpconns` for `rtmpConn`, and likewise for
 *   RTMPS, SRT, WebRTC and RTSP publishers. Static sources (pulled by MediaMTX itself) cannot be
 *   kicked.
 * Lists are paginated (`itemsPerPage`, `page`); every page is read, up to a bound.
 *
 * MediaMTX reports no bitrate, so the adapter derives one from `bytesReceived` between two
 * successive lists of the same session (undefined on the first).
 */
import type { Publisher, RtmpRequestOptions } from '../../ports/rtmp-server.js';
import { RtmpServerError } from './errors.js';
import { expectOk, httpRequest, joinUrl, maskingKey } from './http.js';
import { RtmpAdapterBase, type ParseOutcome, type RtmpAdapterOptions } from './options.js';
import { asBoolean, asNumber, asRecord, asRecords, asText, parseJson, type UntrustedRecord } from '../../domain/untrusted.js';

export interface MediaMtxConfig {
  readonly id: string;
  /** e.g. `http://127.0.0.1:9997` */
  readonly apiUrl: string;
}

/** Source types that are sessions someone opened to publish, and their kick endpoint. */
export const MEDIAMTX_KICK_ENDPOINTS: Readonly<Record<string, string>> = {
  rtmpConn: 'rtmpconns',
  rtmpsConn: 'rtmpsconns',
  srtConn: 'srtconns',
  webRTCSession: 'webrtcsessions',
  rtspSession: 'rtspsessions',
  rtspsSession: 'rtspssessions',
};

const ITEMS_PER_PAGE = 1000;
const MAX_PAGES = 50;

export interface MediaMtxPage<T> {
  readonly items: T[];
  readonly pageCount: number;
}

export interface MediaMtxRtmpConn {
  readonly id: string;
  readonly remoteAddr?: string;
  readonly state?: string;
  readonly path?: string;
}

function page(text: string, what: string): ParseOutcome<{ items: UntrustedRecord[]; pageCount: number }> {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, reason: `${what}: the answer is not JSON (${parsed.error})` };
  const root = asRecord(parsed.value);
  if (root === undefined) return { ok: false, reason: `${what}: the answer is not a JSON object` };
  const items = root['items'];
  if (!Array.isArray(items)) return { ok: false, reason: `${what}: the answer has no "items" list` };
  return { ok: true, value: { items: asRecords(items), pageCount: asNumber(root['pageCount']) ?? 1 } };
}

/** Splits a MediaMTX path name into app and stream name at its last `/`. */
export function splitMediaMtxPath(path: string): { app: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { app: '', name: path } : { app: path.slice(0, slash), name: path.slice(slash + 1) };
}

/** Published paths of one `GET /v3/paths/list` page (without address or bitrate). */
export function parseMediaMtxPaths(text: string): ParseOutcome<MediaMtxPage<Publisher>> {
  const parsed = page(text, 'GET /v3/paths/list');
  if (!parsed.ok) return parsed;
  const publishers: Publisher[] = [];
  for (const item of parsed.value.items) {
    const path = asText(item['name']);
    const source = asRecord(item['source']);
    const ready = asBoolean(item['ready']) ?? asBoolean(item['available']) ?? asBoolean(item['online']) ?? false;
    if (path === undefined || source === undefined || !ready) continue;
    const type = asText(source['type']) ?? '';
    const readyTime = asText(item['readyTime']) ?? asText(item['availableTime']) ?? asText(item['onlineTime']);
    const since = readyTime === undefined ? Number.NaN : Date.parse(readyTime);
    publishers.push({
      ...splitMediaMtxPath(path),
      clientId: asText(source['id']) ?? '',
      bytesIn: asNumber(item['bytesReceived']) ?? 0,
      ...(Number.isFinite(since) && { publishingSinceMs: since }),
      handle: type,
    });
  }
  return { ok: true, value: { items: publishers, pageCount: parsed.value.pageCount } };
}

/** One `GET /v3/rtmpconns/list` page. */
export function parseMediaMtxRtmpConns(text: string): ParseOutcome<MediaMtxPage<MediaMtxRtmpConn>> {
  const parsed = page(text, 'GET /v3/rtmpconns/list');
  if (!parsed.ok) return parsed;
  const conns: MediaMtxRtmpConn[] = [];
  for (const item of parsed.value.items) {
    const id = asText(item['id']);
    if (id === undefined) continue;
    const remoteAddr = asText(item['remoteAddr']);
    const state = asText(item['state']);
    const path = asText(item['path']);
    conns.push({
      id,
      ...(remoteAddr !== undefined && { remoteAddr }),
      ...(state !== undefined && { state }),
      ...(path !== undefined && { path }),
    });
  }
  return { ok: true, value: { items: conns, pageCount: parsed.value.pageCount } };
}

interface ByteSample {
  readonly bytes: number;
  readonly atMs: number;
}

export class MediaMtxServer extends RtmpAdapterBase {
  readonly kind = 'mediamtx' as const;
  /** Last bytesReceived per publishing session, for derived bitrates. */
  private samples = new Map<string, ByteSample>();

  constructor(
    private readonly config: MediaMtxConfig,
    options: RtmpAdapterOptions,
  ) {
    super(config.id, options);
  }

  async listPublishers(options: RtmpRequestOptions = {}): Promise<Publisher[]> {
    const [paths, conns] = await Promise.all([
      this.readAll('/v3/paths/list', parseMediaMtxPaths, options),
      // Addresses are an extra: a failing connection list must not fail the check.
      this.readAll('/v3/rtmpconns/list', parseMediaMtxRtmpConns, options).catch(() => [] as MediaMtxRtmpConn[]),
    ]);
    const addressOf = new Map(conns.map((conn) => [conn.id, conn.remoteAddr]));
    const now = this.clock.now();
    const samples = new Map<string, ByteSample>();
    const publishers = paths.map((publisher): Publisher => {
      const key = `${publisher.handle ?? ''}\u0000${publisher.clientId}\u0000${publisher.app}/${publisher.name}`;
      const previous = this.samples.get(key);
      samples.set(key, { bytes: publisher.bytesIn, atMs: now });
      const elapsedMs = previous === undefined ? 0 : now - previous.atMs;
      const grew = previous !== undefined && publisher.bytesIn >= previous.bytes;
      const address = addressOf.get(publisher.clientId);
      return {
        ...publisher,
        ...(grew && elapsedMs > 0 && { bitrateKbps: ((publisher.bytesIn - previous.bytes) * 8) / elapsedMs }),
        ...(address !== undefined && { address }),
      };
    });
    this.samples = samples; // sessions no longer listed are forgotten
    return publishers;
  }


  async dropPublisher(publisher: Publisher, options: RtmpRequestOptions = {}): Promise<boolean> {
    const type = publisher.handle ?? 'rtmpConn';
    const endpoint = MEDIAMTX_KICK_ENDPOINTS[type];
    if (endpoint === undefined) {
      throw new RtmpServerError('RTMP_SERVER_UNSUPPORTED', this.id, `a "${type}" source cannot be kicked (it is not a publishing session)`);
    }
    if (publisher.clientId === '') {
      throw new RtmpServerError('RTMP_SERVER_INVALID_REQUEST', this.id, 'a MediaMTX kick needs the session id');
    }
    const what = `POST /v3/${endpoint}/kick/${publisher.clientId} (app "${publisher.app}")`;
    const redact = maskingKey(this.redact, publisher.name);
    const answer = await httpRequest({
      serverId: this.id,
      method: 'POST',
      url: joinUrl(this.config.apiUrl, `/v3/${endpoint}/kick/${encodeURIComponent(publisher.clientId)}`),
      what,
      timeoutMs: this.timeoutMs,
      redact,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    if (answer.status === 404) return false;
    expectOk(answer, this.id, what, redact);
    return true;
  }

  private async readAll<T>(
    path: string,
    parse: (text: string) => ParseOutcome<MediaMtxPage<T>>,
    options: RtmpRequestOptions,
  ): Promise<T[]> {
    const what = `GET ${path}`;
    const all: T[] = [];
    for (let index = 0; index < MAX_PAGES; index += 1) {
      const answer = await httpRequest({
        serverId: this.id,
        method: 'GET',
        url: joinUrl(this.config.apiUrl, `${path}?itemsPerPage=${ITEMS_PER_PAGE}&page=${index}`),
        what,
        timeoutMs: this.timeoutMs,
        redact: this.redact,
        ...(options.signal !== undefined && { signal: options.signal }),
      });
      expectOk(answer, this.id, what, this.redact);
      const parsed = parse(answer.text);
      if (!parsed.ok) throw new RtmpServerError('RTMP_SERVER_BAD_RESPONSE', this.id, this.redact(parsed.reason));
      all.push(...parsed.value.items);
      if (index + 1 >= parsed.value.pageCount) break;
    }
    return all;
  }
}
