/**
 * Adoption: re-attaching a stream to a process a previous daemon started (stored runtime entry).
 * The checks that come before the runner's own identity checks, what an adoption ends in, and
 * what follows it. StreamSupervisor.adopt performs it.
 */
import type { DesiredState } from '../domain/stream-spec.js';
import type { ObservedState } from '../domain/lifecycle.js';
import type { Logger } from '../ports/logger.js';
import type { AdoptRefusalReason } from '../ports/process-runner.js';
import type { RunOutcome } from '../ports/run-registry.js';
import type { RuntimeEntry } from '../ports/store.js';

/**
 * What `adopt` did with a runtime entry.
 * - adopted: the process is supervised now; `then` says what follows at once: `keep` it running,
 *   `restart` it (its spec changed while the daemon was away), or `stop` it (wanted stopped).
 * - refused, `lost: true`: the process is gone (other boot, not running, pid reused, zombie);
 *   the run was reported ended (registry.runEnded) and the stream is stopped, ready to start.
 * - refused, `lost: false`: the pid may be a live process we cannot prove ours (or the entry /
 *   stream could not take it): it was never signalled and is not supervised.
 */
export type AdoptOutcome =
  | { readonly adopted: true; readonly pid: number; readonly then: AfterAdoption }
  | {
      readonly adopted: false;
      readonly reason: AdoptRefusalReason | 'not-stopped' | 'unsupported' | 'other-stream';
      readonly detail: string;
      readonly lost: boolean;
    };

export type AfterAdoption = 'keep' | 'restart' | 'stop';

type Refusal = Pick<Extract<AdoptOutcome, { adopted: false }>, 'reason' | 'detail'>;

/** Adopt refusals that prove the stored process is gone (as opposed to "alive but not provably ours"). */
export const GONE: ReadonlySet<AdoptRefusalReason> = new Set(['other-boot', 'not-running', 'pid-reused', 'zombie']);

/** Why this stream cannot take the entry at all (before the runner looks at the process), if it cannot. */
export function adoptionBlocker(
  entry: RuntimeEntry,
  stream: { readonly id: string; readonly observed: ObservedState; readonly hasRun: boolean },
): Refusal | undefined {
  if (entry.stream !== stream.id) return { reason: 'other-stream', detail: `entry of stream "${entry.stream}"` };
  if (stream.observed !== 'stopped' || stream.hasRun) return { reason: 'not-stopped', detail: `stream is ${stream.observed}` };
  return undefined;
}

/** Logs a refusal (a gone run is news; a live process left alone is an error) and returns it. */
export function refuseAdoption(log: Logger, entry: RuntimeEntry, refusal: Refusal, lost: boolean): AdoptOutcome {
  const { reason, detail } = refusal;
  log[lost ? 'info' : 'error']({ pid: entry.pid, runId: entry.runId, reason, detail }, lost ? 'stored run is gone; it will be started anew if wanted' : 'stored process not adopted; it is left alone and never signalled');
  return { adopted: false, reason, detail, lost };
}

/** The registry's record of a stored run whose process is gone. */
export function lostRun(now: number): RunOutcome {
  return { endedAt: now, reason: 'lost', exitCode: null, signal: null, firstLines: [], lastLines: [] };
}

/** What follows an adoption: stop it if wanted stopped, restart it if its spec changed meanwhile. */
export function afterAdoption(entry: RuntimeEntry, desired: DesiredState, currentSpecHash: string): AfterAdoption {
  if (desired === 'stopped') return 'stop';
  return entry.specHash !== currentSpecHash ? 'restart' : 'keep';
}
