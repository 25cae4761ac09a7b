/**
 * SRS (ossrs/srs) HTTP API v1:
 * - `GET /api/v1/streams` → `{code: 0, streams: [{id, name, app, vhost, recv_bytes,
 *   kbps: {recv_30s, send_30s}, publish: {active, cid}, …}]}`; a stream is published when
 *   `publish.active` is true, and `publish.cid` is the publishing client's id (a number in
 *   SRS 3, a string in SRS 4+);
 * - `GET /api/v1/clients` → `{code: 0, clients: [{id, ip, publish, alive (s), …}]}` — used
 *   only to add the publisher's address and start time; a failure there does not fail the list;
 * - `DELETE /api/v1/clients/{id}` → `{code: 0}` kicks that client.
 * Both lists are paginated by SRS (`start`, `count`, default 10): we ask for up to 1000.
 * `code != 0` is an API error; 2049 (client not found) on a kick means "already gone".
 */
import type { Publisher, RtmpRequestOptions } from '../../ports/rtmp-server.js';
import { RtmpServerError } from './errors.js';
import { expectOk, httpRequest, joinUrl, maskingKey } from './http.js';
import { RtmpAdapterBase, type ParseOutcome, type RtmpAdapterOptions } from './options.js';
import { asBoolean, asNumber, asRecord, asRecords, asText, parseJson, type UntrustedRecord } from '../../domain/untrusted.js';

export interface SrsConfig {
  readonly id: string;
  /** e.g. `http://127.0.0.1:1985` */
  readonly apiUrl: string;
}

/** SRS ERROR_RTMP_CLIENT_NOT_FOUND */
const SRS_CLIENT_NOT_FOUND = 2049;
const PAGE = 'start=0&count=1000';

export interface SrsClientInfo {
  readonly id: string;
  readonly ip?: string;
  /** Seconds since the client connected. */
  readonly aliveSeconds?: number;
}

/** Parses an SRS JSON envelope: must be an object with `code` 0. */
function envelope(text: string, what: string): ParseOutcome<UntrustedRecord> {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, reason: `${what}: the answer is not JSON (${parsed.error})` };
  const root = asRecord(parsed.value);
  if (root === undefined) return { ok: false, reason: `${what}: the answer is not a JSON object` };
  const code = asNumber(root['code']);
  if (code === undefined) return { ok: false, reason: `${what}: the answer has no numeric "code"` };
  if (code !== 0) return { ok: false, reason: `${what}: SRS answered code ${code}` };
  return { ok: true, value: root };
}

/** Published streams of `GET /api/v1/streams` (without address / start time). */
export function parseSrsStreams(text: string): ParseOutcome<Publisher[]> {
  const root = envelope(text, 'GET /api/v1/streams');
  if (!root.ok) return root;
  const streams = root.value['streams'];
  if (!Array.isArray(streams)) return { ok: false, reason: 'GET /api/v1/streams: the answer has no "streams" list' };
  const publishers: Publisher[] = [];
  for (const stream of asRecords(streams)) {
    const publish = asRecord(stream['publish']);
    if (asBoolean(publish?.['active']) !== true) continue;
    const clientId = asText(publish?.['cid']);
    const name = asText(stream['name']);
    const app = asText(stream['app']);
    if (clientId === undefined || name === undefined || app === undefined) continue;
    const kbps = asNumber(asRecord(stream['kbps'])?.['recv_30s']);
    publishers.push({
      app,
      name,
      clientId,
      bytesIn: asNumber(stream['recv_bytes']) ?? 0,
      ...(kbps !== undefined && { bitrateKbps: kbps }),
    });
  }
  return { ok: true, value: publishers };
}

/** Clients of `GET /api/v1/clients`, by id. */
export function parseSrsClients(text: string): ParseOutcome<Map<string, SrsClientInfo>> {
  const root = envelope(text, 'GET /api/v1/clients');
  if (!root.ok) return root;
  const clients = root.value['clients'];
  if (!Array.isArray(clients)) return { ok: false, reason: 'GET /api/v1/clients: the answer has no "clients" list' };
  const byId = new Map<string, SrsClientInfo>();
  for (const client of asRecords(clients)) {
    const id = asText(client['id']);
    if (id === undefined) continue;
    const ip = asText(client['ip']);
    const alive = asNumber(client['alive']);
    byId.set(id, { id, ...(ip !== undefined && { ip }), ...(alive !== undefined && { aliveSeconds: alive }) });
  }
  return { ok: true, value: byId };
}

export class SrsServer extends RtmpAdapterBase {
  readonly kind = 'srs' as const;

  constructor(
    private readonly config: SrsConfig,
    options: RtmpAdapterOptions,
  ) {
    super(config.id, options);
  }

  async listPublishers(options: RtmpRequestOptions = {}): Promise<Publisher[]> {
    const [streamsText, clients] = await Promise.all([
      this.get(`/api/v1/streams?${PAGE}`, 'GET /api/v1/streams', options),
      // Address and start time are extras: a failing clients list must not fail the check.
      this.get(`/api/v1/clients?${PAGE}`, 'GET /api/v1/clients', options).then(
        (text) => parseSrsClients(text),
        () => undefined,
      ),
    ]);
    const parsed = parseSrsStreams(streamsText);
    if (!parsed.ok) throw new RtmpServerError('RTMP_SERVER_BAD_RESPONSE', this.id, this.redact(parsed.reason));
    const byId = clients?.ok === true ? clients.value : undefined;
    const now = this.clock.now();
    return parsed.value.map((publisher) => {
      const client = byId?.get(publisher.clientId);
      if (client === undefined) return publisher;
      return {
        ...publisher,
        ...(client.ip !== undefined && { address: client.ip }),
        ...(client.aliveSeconds !== undefined && { publishingSinceMs: Math.round(now - client.aliveSeconds * 1000) }),
      };
    });
  }


  async dropPublisher(publisher: Publisher, options: RtmpRequestOptions = {}): Promise<boolean> {
    if (publisher.clientId === '') {
      throw new RtmpServerError('RTMP_SERVER_INVALID_REQUEST', this.id, 'an SRS kick needs the client id');
    }
    const what = `DELETE /api/v1/clients/${publisher.clientId} (app "${publisher.app}")`;
    const redact = maskingKey(this.redact, publisher.name);
    const answer = await httpRequest({
      serverId: this.id,
      method: 'DELETE',
      url: joinUrl(this.config.apiUrl, `/api/v1/clients/${encodeURIComponent(publisher.clientId)}`),
      what,
      timeoutMs: this.timeoutMs,
      redact,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    if (answer.status === 404) return false;
    expectOk(answer, this.id, what, redact);
    const parsed = parseJson(answer.text);
    const code = parsed.ok ? asNumber(asRecord(parsed.value)?.['code']) : undefined;
    if (code === undefined) {
      throw new RtmpServerError('RTMP_SERVER_BAD_RESPONSE', this.id, redact(`${what}: the answer is not an SRS JSON envelope`));
    }
    if (code === SRS_CLIENT_NOT_FOUND) return false;
    if (code !== 0) throw new RtmpServerError('RTMP_SERVER_REJECTED', this.id, redact(`${what}: SRS answered code ${code}`));
    return true;
  }

  private async get(path: string, what: string, options: RtmpRequestOptions): Promise<string> {
    const answer = await httpRequest({
      serverId: this.id,
      method: 'GET',
      url: joinUrl(this.config.apiUrl, path),
      what,
      timeoutMs: this.timeoutMs,
      redact: this.redact,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    expectOk(answer, this.id, what, this.redact);
    return answer.text;
  }
}
