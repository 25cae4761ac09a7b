/**
 * An RTMP ingest server whose publishers we can list and drop (nginx-rtmp, SRS, MediaMTX).
 * The watchdog asks it whether our stream is really published (and at what inbound bitrate),
 * and the recovery ladder uses it to kick a stale or broken publisher.
 *
 * Contracts for every adapter:
 * - a publisher's `name` is the stream key: it is returned so callers can match it, and it
 *   never appears in an error message, a log line or an event;
 * - a bad answer (unreachable server, HTTP error, malformed XML / JSON) rejects with a named
 *   error (`RtmpServerError`, adapters/rtmp/errors.ts) with a clear, redacted message — never
 *   a crash, never a half-parsed list;
 * - every request has a timeout of its own and also honours `options.signal`;
 * - `dropPublisher` drops exactly the given publisher, never every publisher of its app.
 */
import { StreamwardenError } from '../domain/errors.js';

export type RtmpServerKind = 'nginx-rtmp' | 'srs' | 'mediamtx';

/** One publishing session on the server. */
export interface Publisher {
  /** Application, e.g. `live` (MediaMTX: the path without its last segment). */
  readonly app: string;
  /** Stream name — the stream key. Secret: match on it, never print it. */
  readonly name: string;
  /** The server's id of the publishing connection (what its drop / kick API takes). */
  readonly clientId: string;
  /** Bytes received from the publisher so far. */
  readonly bytesIn: number;
  /** Inbound bitrate in kbit/s, when the server reports it (or it could be derived). */
  readonly bitrateKbps?: number;
  /** When the publisher started publishing, epoch milliseconds, when known. */
  readonly publishingSinceMs?: number;
  /** The publisher's remote address as the server reports it (`127.0.0.1`, `1.2.3.4:5678`). */
  readonly address?: string;
  /**
   * Adapter-private routing data the drop needs (nginx-rtmp server block index, MediaMTX
   * source type). Pass the publisher back to `dropPublisher` unchanged.
   */
  readonly handle?: string;
}

export interface RtmpRequestOptions {
  /** Aborts the request (the adapter's own timeout applies as well). */
  readonly signal?: AbortSignal;
}

export interface RtmpServer {
  /** The configured id (`rtmpServers[].id`). */
  readonly id: string;
  readonly kind: RtmpServerKind;
  /** Every stream currently being published, in every application. */
  listPublishers(options?: RtmpRequestOptions): Promise<Publisher[]>;
  /** The publisher of `app`/`name`, or undefined when nothing publishes there. */
  findPublisher(app: string, name: string, options?: RtmpRequestOptions): Promise<Publisher | undefined>;
  /**
   * Drops exactly this publisher. Resolves true when the server dropped it, false when it was
   * already gone; rejects when the server could not be asked or refused.
   */
  dropPublisher(publisher: Publisher, options?: RtmpRequestOptions): Promise<boolean>;
}

/** Where an RTMP URL publishes: application and stream name. */
export interface RtmpTarget {
  readonly app: string;
  /** The stream key. Secret. */
  readonly name: string;
}

/** A URL that does not name an RTMP application and stream. The message never holds the key. */
export class InvalidRtmpTargetError extends StreamwardenError {
  constructor(reason: string) {
    super('INVALID_RTMP_TARGET', `not an RTMP publish URL: ${reason}`);
  }
}

const RTMP_SCHEME = /^rtmp[est]*:\/\//i;

/**
 * Splits `rtmp[s|e|t|te|ts]://host[:port]/app[/instance]/name[?query]` into `{app, name}`:
 * `app` is every path segment but the last (`live`, `app/instance`), `name` the last segment
 * without its query or fragment (percent-decoding applied). Throws InvalidRtmpTargetError.
 */
export function parseRtmpTarget(url: string): RtmpTarget {
  const trimmed = url.trim();
  if (!RTMP_SCHEME.test(trimmed)) throw new InvalidRtmpTargetError('the scheme must be rtmp, rtmps, rtmpe or rtmpt');
  const afterScheme = trimmed.slice(trimmed.indexOf('://') + 3);
  let end = afterScheme.length;
  for (const stop of ['?', '#']) {
    const index = afterScheme.indexOf(stop);
    if (index >= 0 && index < end) end = index;
  }
  const hostAndPath = afterScheme.slice(0, end);
  const slash = hostAndPath.indexOf('/');
  if (slash <= 0) throw new InvalidRtmpTargetError(slash === 0 ? 'no host' : 'no application and stream name');
  const segments = hostAndPath
    .slice(slash + 1)
    .split('/')
    .filter((segment) => segment !== '');
  if (segments.length < 2) throw new InvalidRtmpTargetError('it needs an application and a stream name (rtmp://host/app/name)');
  const decoded = segments.map(decodeSegment);
  const name = decoded[decoded.length - 1] ?? '';
  return { app: decoded.slice(0, -1).join('/'), name };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray % is part of the name as typed
  }
}
