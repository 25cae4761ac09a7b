/**
 * Why a stream was restarted, as counted in `streamwarden_stream_restarts_total{reason}`: the exit
 * reason of the run that ended, except that a run ended by a restart the watchdog asked for (a
 * `restart` rung, a switch to another input) counts as `watchdog` — an automatic restart — rather
 * than `restarted` (asked for by someone: the API, the controller, a config change).
 *
 * Pure.
 */
import { EXIT_REASONS, type ExitReason } from './lifecycle.js';

/** Who asked for a restart: someone (`request`) or the watchdog's recovery. */
export type RestartOrigin = 'request' | 'watchdog';

export type RestartReason = ExitReason | 'watchdog';

export const RESTART_REASONS: readonly RestartReason[] = [...EXIT_REASONS, 'watchdog'];

/** How the end of a run is counted; `origin` is who asked for the restart that ended it, if anyone. */
export function restartReasonOf(reason: ExitReason, origin: RestartOrigin | undefined): RestartReason {
  return reason === 'restarted' && origin === 'watchdog' ? 'watchdog' : reason;
}
