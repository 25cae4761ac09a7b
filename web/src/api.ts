/**
 * The daemon's HTTP API as the dashboard uses it. Reads need no token. A write answered 401 asks
 * for the token (token-dialog.ts), keeps it in sessionStorage for this tab, and retries; a wrong
 * token is said so and asked again, until the user cancels.
 */
const TOKEN_KEY = 'streamwarden.token';
/** Tries of one action (the first, then one per token entered). */
const MAX_ATTEMPTS = 5;
/** A read that takes longer is abandoned (the next refresh tries again); a hung read must not stall the page. */
const READ_TIMEOUT_MS = 10_000;
/** Actions wait for the change to be applied (a stop waits for ffmpeg to exit: up to its grace periods). */
const WRITE_TIMEOUT_MS = 60_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The user closed the token dialog: the action was not sent. */
export class ActionCancelledError extends Error {
  constructor() {
    super('cancelled: no token given');
    this.name = 'ActionCancelledError';
  }
}

export interface TokenPrompt {
  /** Asks for the token; undefined when the user cancels. `wrong`: the last one was refused. */
  ask(wrong: boolean): Promise<string | undefined>;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not an API error body: keep the status line
  }
  return new ApiError(response.status, code, message);
}

function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lasts for this action only
  }
}

export class Api {
  constructor(private readonly prompt: TokenPrompt) {}

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(READ_TIMEOUT_MS);
    const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  /** A write (start / stop / restart …), with the token when one is needed. */
  async write<T>(method: 'POST' | 'PUT' | 'DELETE', path: string): Promise<T> {
    let token = storedToken();
    let refused = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
      const response = await fetch(path, { method, headers, cache: 'no-store', signal: AbortSignal.timeout(WRITE_TIMEOUT_MS) });
      if (response.status !== 401) {
        if (!response.ok) throw await errorOf(response);
        if (token !== undefined) storeToken(token);
        return (response.status === 204 ? undefined : await response.json()) as T;
      }
      if (token !== undefined) {
        refused = true;
        storeToken(undefined);
      }
      token = await this.prompt.ask(refused);
      if (token === undefined) throw new ActionCancelledError();
    }
    throw new ApiError(401, 'UNAUTHORIZED', 'the token was refused too many times');
  }
}
