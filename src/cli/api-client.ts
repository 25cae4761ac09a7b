/**
 * The CLI's side of the HTTP API: one request, its JSON answer, or a message that says what went
 * wrong (the API's own error message for a 4xx / 5xx, the cause when the daemon is unreachable).
 */
import { errorMessage } from '../domain/error-message.js';
export interface ApiOptions {
  /** The daemon's base URL, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  readonly token?: string;
  /** Injected in tests (e.g. backed by fastify's inject); the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly body: T }
  | { readonly ok: false; readonly status: number | undefined; readonly message: string };

const DEFAULT_TIMEOUT_MS = 10_000;

function apiError(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof message === 'string' ? { code: typeof code === 'string' ? code : 'ERROR', message } : undefined;
}

export async function callApi<T>(method: 'GET' | 'POST', path: string, options: ApiOptions): Promise<ApiResult<T>> {
  let endpoint: URL;
  try {
    endpoint = new URL(path, options.url);
  } catch {
    return { ok: false, status: undefined, message: `not a valid URL: ${options.url}` };
  }
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(endpoint, {
      method,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : errorMessage(error);
    return { ok: false, status: undefined, message: `cannot reach the daemon at ${endpoint.origin}: ${cause}` };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = apiError(body);
    const message = error ? `${error.message} (${response.status} ${error.code})` : `${method} ${endpoint.href} answered ${response.status}`;
    return { ok: false, status: response.status, message };
  }
  return { ok: true, status: response.status, body: body as T };
}
