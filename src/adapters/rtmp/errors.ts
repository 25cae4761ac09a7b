/**
 * Errors of the RTMP server adapters. Messages name the server, the operation and what went
 * wrong — never a stream key (adapters describe a stream by its app and client id only, and
 * every message goes through the redactor as well).
 */
import { StreamwardenError } from '../../domain/errors.js';

export type RtmpServerErrorCode =
  /** Connection refused, DNS failure, reset: the server could not be asked. */
  | 'RTMP_SERVER_UNREACHABLE'
  /** No answer within the request timeout. */
  | 'RTMP_SERVER_TIMEOUT'
  /** The caller's signal aborted the request. */
  | 'RTMP_SERVER_ABORTED'
  /** An HTTP status outside 2xx. */
  | 'RTMP_SERVER_HTTP_STATUS'
  /** The body is not the XML / JSON document the API documents. */
  | 'RTMP_SERVER_BAD_RESPONSE'
  /** A well-formed answer that reports an error (SRS `code != 0`). */
  | 'RTMP_SERVER_REJECTED'
  /** The request itself is not allowed (e.g. a drop without a stream name). */
  | 'RTMP_SERVER_INVALID_REQUEST'
  /** The server cannot do this for that publisher (e.g. MediaMTX static sources). */
  | 'RTMP_SERVER_UNSUPPORTED';

export class RtmpServerError extends StreamwardenError {
  constructor(
    override readonly code: RtmpServerErrorCode,
    /** The configured server id. */
    readonly serverId: string,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(code, `RTMP server "${serverId}": ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }

  /** The HTTP status, for RTMP_SERVER_HTTP_STATUS. */
  readonly status: number | undefined;
}
