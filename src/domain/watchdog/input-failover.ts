/**
 * Which of a stream's `inputs` to use. Pure: every call carries its time.
 *
 * `priority` (default): inputs are in priority order, later ones are fallbacks.
 *   - the active input fails (`activeInputFailed`, or `onRunEnded` with an input-side failure)
 *     → the next input, wrapping around, skipping inputs whose latest probe failed when another
 *     is not known to be failing;
 *   - a better input (lower index) probed healthy continuously for `returnAfterMs` (default 60 s)
 *     → switch back to it (the best one).
 * `rotate` (the motherstream queue): the inputs are peers; a failure or a dropped publisher
 *   advances to the next, wrapping around; there is no switching back.
 *
 * A switch is an intentional restart for the caller: restart ffmpeg on the new input and tell
 * the recovery policy (`noteIntentionalRestart(…, 'input-switch')`). With one input there is
 * nothing to switch to, and the update says so.
 */
import type { ExitReason } from '../lifecycle.js';
import type { FailureLocus } from './failure-locus.js';

export type FailoverMode = 'priority' | 'rotate';

export interface FailoverConfig {
  readonly inputCount: number;
  /** @default 'priority' */
  readonly mode: FailoverMode;
  /** How long a better input must probe healthy before switching back to it. @default 60 s */
  readonly returnAfterMs: number;
}

export const DEFAULT_RETURN_AFTER_MS = 60_000;

export interface InputProbe {
  readonly lastOk?: boolean;
  readonly lastAt?: number;
  /** Start of the current run of successful probes. */
  readonly healthySince?: number;
}

export interface InputSwitch {
  readonly from: number;
  readonly to: number;
  readonly at: number;
  readonly reason: string;
}

export interface InputFailoverState {
  readonly config: FailoverConfig;
  readonly active: number;
  readonly activeSince: number;
  readonly probes: readonly InputProbe[];
  readonly switches: number;
  readonly lastSwitch?: InputSwitch;
}

export interface FailoverUpdate {
  readonly state: InputFailoverState;
  /** Set when the caller must move to another input. */
  readonly switch?: InputSwitch;
  /** Why nothing changed, when something was asked (e.g. "no other input to switch to"). */
  readonly note?: string;
}

export function createInputFailover(options: Partial<FailoverConfig> & { readonly inputCount: number }, now: number): InputFailoverState {
  const config: FailoverConfig = {
    inputCount: Math.max(1, Math.floor(options.inputCount)),
    mode: options.mode ?? 'priority',
    returnAfterMs: options.returnAfterMs ?? DEFAULT_RETURN_AFTER_MS,
  };
  return { config, active: 0, activeSince: now, probes: Array.from({ length: config.inputCount }, () => ({})), switches: 0 };
}

/** The active input is judged failed: an input check turned failing, or it cannot be opened. */
export function activeInputFailed(state: InputFailoverState, at: number, reason: string): FailoverUpdate {
  const marked = setProbe(state, state.active, { lastOk: false, lastAt: at });
  return switchTo(marked, nextIndex(marked, true), at, `input ${state.active} failed: ${reason}`);
}

/** Unplanned run ends with an input-side failure move on; anything else changes nothing. */
export function onRunEnded(state: InputFailoverState, run: { readonly at: number; readonly reason: ExitReason; readonly locus: FailureLocus; readonly message?: string }): FailoverUpdate {
  if (run.reason === 'stopped' || run.reason === 'restarted' || run.locus !== 'input') return { state };
  return activeInputFailed(state, run.at, run.message ?? run.reason);
}

/** The `next-input` action, or a manual skip: advance in order regardless of probes. */
export function advanceInput(state: InputFailoverState, at: number, reason: string): FailoverUpdate {
  return switchTo(state, nextIndex(state, false), at, reason);
}

/** The publisher was dropped at the RTMP server: in `rotate` mode the queue moves on. */
export function onPublisherDropped(state: InputFailoverState, at: number): FailoverUpdate {
  if (state.config.mode !== 'rotate') return { state };
  return advanceInput(state, at, 'publisher dropped: next in the queue');
}

/**
 * A probe of one input (standby inputs are probed so the primary can come back). Failures of
 * the active input are only recorded here: failing over needs a judged failure
 * (`activeInputFailed`), not one bad probe.
 */
export function recordProbe(state: InputFailoverState, probe: { readonly index: number; readonly ok: boolean; readonly at: number }): FailoverUpdate {
  const previous = state.probes[probe.index];
  if (previous === undefined) return { state, note: `no input ${probe.index}` };
  const healthySince = probe.ok ? (previous.lastOk === true ? previous.healthySince : probe.at) : undefined;
  const next = setProbe(state, probe.index, { lastOk: probe.ok, lastAt: probe.at, ...(healthySince !== undefined && { healthySince }) });
  if (next.config.mode !== 'priority') return { state: next };
  for (let index = 0; index < next.active; index++) {
    const since = next.probes[index]?.healthySince;
    if (since !== undefined && probe.at - since >= next.config.returnAfterMs) {
      const held = Math.floor((probe.at - since) / 1_000);
      return switchTo(next, index, probe.at, `input ${index} healthy again for ${held} s`);
    }
  }
  return { state: next };
}

function nextIndex(state: InputFailoverState, avoidFailing: boolean): number {
  const count = state.config.inputCount;
  const order = Array.from({ length: count - 1 }, (_, step) => (state.active + 1 + step) % count);
  if (avoidFailing) {
    const usable = order.find((index) => state.probes[index]?.lastOk !== false);
    if (usable !== undefined) return usable;
  }
  return order[0] ?? state.active;
}

function switchTo(state: InputFailoverState, to: number, at: number, reason: string): FailoverUpdate {
  if (to === state.active) return { state, note: `${reason}; no other input to switch to` };
  const change: InputSwitch = { from: state.active, to, at, reason };
  return { state: { ...state, active: to, activeSince: at, switches: state.switches + 1, lastSwitch: change }, switch: change };
}

function setProbe(state: InputFailoverState, index: number, probe: InputProbe): InputFailoverState {
  return { ...state, probes: state.probes.map((old, i) => (i === index ? probe : old)) };
}
