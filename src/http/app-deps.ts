/** What the HTTP layer needs from the daemon. */
import type { Supervisor } from '../supervisor/supervisor.js';

export interface AppDeps {
  readonly supervisor: Supervisor;
  /** True while the daemon's own timers keep firing (see Heartbeat). */
  readonly isLive: () => boolean;
  /** With a token set, /api/v1 needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Masks secrets in anything the API sends back (error messages included). */
  readonly redact: (text: string) => string;
}
