/**
 * nginx-rtmp (arut/nginx-rtmp-module): publishers from the `/stat` XML (`rtmp_stat all`),
 * drops through `/control/drop/publisher` (`rtmp_control all`).
 *
 * The drop URL ALWAYS carries `name=` (nginx-rtmp drops every publisher of the application
 * when it is missing) and `clientid=` (so a publisher that replaced ours under the same name is
 * not dropped by mistake), plus `srv=` when the stream lives in another `server {}` block.
 *
 * /stat units: `time` in ms since the stream started, `bw_in` in bit/s averaged by nginx over
 * its bandwidth interval (10 s) — 0 until the first interval has passed, so a young stream's
 * bitrate is its average since it started.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Publisher, RtmpRequestOptions } from '../../ports/rtmp-server.js';
import { RtmpServerError } from './errors.js';
import { expectOk, httpRequest, joinUrl, maskingKey } from './http.js';
import { RtmpAdapterBase, type ParseOutcome, type RtmpAdapterOptions } from './options.js';
import { asNumber, asRecord, asRecords, asText, type UntrustedRecord } from '../../domain/untrusted.js';
import { errorMessage } from '../../domain/error-message.js';

export interface NginxRtmpConfig {
  readonly id: string;
  /** e.g. `http://127.0.0.1:8080/stat` */
  readonly statUrl: string;
  /** e.g. `http://127.0.0.1:8080/control` */
  readonly controlUrl: string;
}

/** nginx-rtmp reports bandwidth only after its first 10 s measuring interval. */
const BANDWIDTH_INTERVAL_MS = 10_000;

const STAT_LISTS: ReadonlySet<string> = new Set(['server', 'application', 'stream', 'client']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // a stream called "0123" stays a string
  isArray: (tagName) => STAT_LISTS.has(tagName),
});

/**
 * Every publishing stream in a /stat document. A stream counts when one of its clients carries
 * `<publishing/>`; that client's id is the one /control/drop takes.
 */
export function parseNginxStat(document: string, nowMs: number): ParseOutcome<Publisher[]> {
  if (document.trim() === '') return { ok: false, reason: 'empty /stat answer' };
  if (/<!DOCTYPE/i.test(document)) return { ok: false, reason: '/stat answer has a DOCTYPE (not nginx-rtmp)' };
  const valid = XMLValidator.validate(document);
  if (valid !== true) {
    return { ok: false, reason: `/stat answer is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})` };
  }
  let root: unknown;
  try {
    root = parser.parse(document);
  } catch (error) {
    return { ok: false, reason: `/stat answer could not be parsed: ${errorMessage(error)}` };
  }
  const top = asRecord(root);
  if (top === undefined || !('rtmp' in top)) return { ok: false, reason: '/stat answer has no <rtmp> root (is rtmp_stat enabled at that URL?)' };

  const rtmp = asRecord(top['rtmp']) ?? {}; // `<rtmp></rtmp>` parses to ''
  const publishers: Publisher[] = [];
  asRecords(rtmp['server']).forEach((server, serverIndex) => {
    for (const application of asRecords(server['application'])) {
      const app = asText(application['name']);
      if (app === undefined) continue;
      for (const stream of asRecords(asRecord(application['live'])?.['stream'])) {
        const publisher = publisherOf(stream, app, serverIndex, nowMs);
        if (publisher !== undefined) publishers.push(publisher);
      }
    }
  });
  return { ok: true, value: publishers };
}

function publisherOf(stream: UntrustedRecord, app: string, serverIndex: number, nowMs: number): Publisher | undefined {
  const name = asText(stream['name']);
  const client = asRecords(stream['client']).find((c) => 'publishing' in c);
  const clientId = client === undefined ? undefined : asText(client['id']);
  if (name === undefined || client === undefined || clientId === undefined) return undefined;
  const timeMs = asNumber(stream['time']);
  const bytesIn = asNumber(stream['bytes_in']) ?? 0;
  const bitrateKbps = inboundKbps(asNumber(stream['bw_in']), bytesIn, timeMs);
  const address = asText(client['address']);
  return {
    app,
    name,
    clientId,
    bytesIn,
    ...(bitrateKbps !== undefined && { bitrateKbps }),
    ...(timeMs !== undefined && { publishingSinceMs: nowMs - timeMs }),
    ...(address !== undefined && { address }),
    ...(serverIndex > 0 && { handle: String(serverIndex) }),
  };
}

/**
 * nginx's `bw_in` (bit/s over its last 10 s interval) once it has measured one; before that,
 * the average since the stream started (from 1 s on); undefined when nothing is known.
 */
function inboundKbps(bwIn: number | undefined, bytesIn: number, timeMs: number | undefined): number | undefined {
  if (bwIn !== undefined && (bwIn > 0 || (timeMs !== undefined && timeMs >= BANDWIDTH_INTERVAL_MS))) return bwIn / 1000;
  if (timeMs !== undefined && timeMs >= 1_000) return (bytesIn * 8) / timeMs;
  return undefined;
}

/** The drop URL for one publisher; throws when it would not name a stream. */
export function nginxDropUrl(controlUrl: string, publisher: Publisher): string {
  if (publisher.name === '' || publisher.app === '') {
    throw new Error('an nginx-rtmp drop needs both app and name (without a name it drops every publisher of the app)');
  }
  const params = new URLSearchParams({ app: publisher.app, name: publisher.name });
  if (publisher.clientId !== '') params.set('clientid', publisher.clientId);
  if (publisher.handle !== undefined && /^\d+$/.test(publisher.handle)) params.set('srv', publisher.handle);
  return `${joinUrl(controlUrl, 'drop/publisher')}?${params.toString()}`;
}

export class NginxRtmpServer extends RtmpAdapterBase {
  readonly kind = 'nginx-rtmp' as const;

  constructor(
    private readonly config: NginxRtmpConfig,
    options: RtmpAdapterOptions,
  ) {
    super(config.id, options);
  }

  async listPublishers(options: RtmpRequestOptions = {}): Promise<Publisher[]> {
    const what = 'GET /stat';
    const answer = await httpRequest({
      serverId: this.id,
      method: 'GET',
      url: this.config.statUrl,
      what,
      timeoutMs: this.timeoutMs,
      redact: this.redact,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    expectOk(answer, this.id, what, this.redact);
    const parsed = parseNginxStat(answer.text, this.clock.now());
    if (!parsed.ok) throw new RtmpServerError('RTMP_SERVER_BAD_RESPONSE', this.id, this.redact(parsed.reason));
    return parsed.value;
  }


  async dropPublisher(publisher: Publisher, options: RtmpRequestOptions = {}): Promise<boolean> {
    let url: string;
    try {
      url = nginxDropUrl(this.config.controlUrl, publisher);
    } catch (error) {
      throw new RtmpServerError('RTMP_SERVER_INVALID_REQUEST', this.id, errorMessage(error));
    }
    const what = `drop publisher (app "${publisher.app}", client ${publisher.clientId || '?'})`;
    const redact = maskingKey(this.redact, publisher.name);
    const answer = await httpRequest({
      serverId: this.id,
      method: 'GET',
      url,
      what,
      timeoutMs: this.timeoutMs,
      redact,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    expectOk(answer, this.id, what, redact);
    // nginx-rtmp answers with the number of sessions it dropped.
    const dropped = /^\s*(\d+)\s*$/.exec(answer.text);
    if (dropped === null) {
      throw new RtmpServerError(
        'RTMP_SERVER_BAD_RESPONSE',
        this.id,
        redact(`${what}: expected the number of dropped sessions, got "${answer.text.trim().slice(0, 80)}"`),
      );
    }
    return Number(dropped[1]) > 0;
  }
}
