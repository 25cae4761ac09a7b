/**
 * The one place that maps error codes to HTTP statuses. Every error response has the shape
 * `{"error": {"code", "message"}}`; unknown errors are 500 with a generic message, so internal
 * details (and anything secret in them) never reach a client.
 */
import { ENGINE_ERROR_STATUS } from '../domain/engines/engine-errors.js';
import { InvalidStreamError, StreamwardenError } from '../domain/errors.js';

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ...ENGINE_ERROR_STATUS,
  BAD_REQUEST: 400,
  INVALID_CONFIG: 400,
  INVALID_STREAM: 400,
  INVALID_INPUT_INDEX: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  STREAM_NOT_FOUND: 404,
  STREAM_EXISTS: 409,
  ILLEGAL_TRANSITION: 409,
  STREAM_OWNED_ELSEWHERE: 409,
  STREAM_OWNED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  /** `issues` lists every problem of an invalid body, one `path: message` each. */
  error: { code: string; message: string; issues?: string[] };
}

export function errorBody(code: string, message: string, issues?: readonly string[]): ErrorBody {
  return { error: { code, message, ...(issues !== undefined && { issues: [...issues] }) } };
}

export function statusFor(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** Turns anything thrown in a route into a status and a safe body. */
export function toErrorResponse(error: unknown, redact: (text: string) => string): { status: number; body: ErrorBody } {
  if (error instanceof InvalidStreamError) {
    return { status: statusFor(error.code), body: errorBody(error.code, redact(error.message), error.issues.map(redact)) };
  }
  if (error instanceof StreamwardenError) {
    return { status: statusFor(error.code), body: errorBody(error.code, redact(error.message)) };
  }
  const fastify = fastifyError(error, redact);
  if (fastify) return fastify;
  return { status: 500, body: errorBody('INTERNAL', 'internal error') };
}

/** Errors fastify raises itself (schema validation, body limits, bad JSON) carry a statusCode. */
function fastifyError(error: unknown, redact: (text: string) => string): { status: number; body: ErrorBody } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, code, message, validation } = error as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    validation?: unknown;
  };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  const text = redact(typeof message === 'string' ? message : 'bad request');
  if (validation !== undefined) return { status: 400, body: errorBody('BAD_REQUEST', text) };
  if (statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', text) };
  }
  if (statusCode === 415) return { status: 415, body: errorBody('UNSUPPORTED_MEDIA_TYPE', text) };
  return { status: statusCode, body: errorBody('BAD_REQUEST', text) };
}
