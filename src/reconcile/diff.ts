/**
 * The reconcile diff (pure): what to do, per stream, to bring what is observed (the supervisor)
 * to what is desired (the store). Level-triggered: it looks only at the two sets as they are now,
 * never at how they got there, so running it twice in a row asks for nothing the second time
 * once the first actions took effect.
 *
 *   desired \ observed | absent | same spec               | other spec
 *   -------------------+--------+-------------------------+-----------
 *   absent             |   —    | remove                  | remove
 *   running            |  add   | start (if not wanted    | update
 *                      |        | running yet), else keep |
 *   stopped            |  add   | stop (if still wanted   | update
 *                      |        | running), else keep     |
 *
 * "Same spec" compares the specs without `desired` in canonical JSON: desired state is its own
 * column (start / stop), so flipping it never restarts a stream, and an `update` carries the
 * desired state with it (the supervisor stops, swaps and starts again only if wanted running).
 * `add` and `update` carry the spec with `desired` set to the desired state.
 */
import { canonicalJson } from '../domain/canonical-json.js';
import type { ObservedState } from '../domain/lifecycle.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';

/** What a source wants for one stream (from the store). */
export interface DesiredEntry {
  readonly spec: StreamSpec;
  readonly desired: DesiredState;
}

/** What the supervisor has for one stream: the spec it runs, what it was asked for, and what is true. */
export interface ObservedEntry {
  readonly spec: StreamSpec;
  /** The supervisor's own desired state (what it was last asked to do), not the store's. */
  readonly desired: DesiredState;
  readonly observed: ObservedState;
}

export type ReconcileAction =
  /** Not supervised yet: add it (the supervisor starts it when `spec.desired` is running). */
  | { readonly kind: 'add'; readonly id: string; readonly spec: StreamSpec }
  /** No longer desired by any source: stop it and forget it. */
  | { readonly kind: 'remove'; readonly id: string }
  /** The spec changed: stop, swap, start again if wanted running. */
  | { readonly kind: 'update'; readonly id: string; readonly spec: StreamSpec }
  | { readonly kind: 'start'; readonly id: string }
  | { readonly kind: 'stop'; readonly id: string }
  | { readonly kind: 'keep'; readonly id: string };

export type ReconcileActionKind = ReconcileAction['kind'];

/** The spec without `desired`, canonical: "did anything but the desired state change?". */
export function specKey(spec: StreamSpec): string {
  const { desired: _desired, ...rest } = spec;
  return canonicalJson(rest);
}

function withDesired(spec: StreamSpec, desired: DesiredState): StreamSpec {
  return spec.desired === desired ? spec : { ...spec, desired };
}

/** One stream's action. Exported for tests and for callers that reconcile a single stream. */
export function diffOne(id: string, want: DesiredEntry | undefined, have: ObservedEntry | undefined): ReconcileAction | undefined {
  if (want === undefined) return have === undefined ? undefined : { kind: 'remove', id };
  if (have === undefined) return { kind: 'add', id, spec: withDesired(want.spec, want.desired) };
  if (specKey(want.spec) !== specKey(have.spec)) return { kind: 'update', id, spec: withDesired(want.spec, want.desired) };
  if (want.desired === 'running' && have.desired !== 'running') return { kind: 'start', id };
  if (want.desired === 'stopped' && have.desired !== 'stopped') return { kind: 'stop', id };
  return { kind: 'keep', id };
}

/**
 * Every stream's action, ordered by id (so logs and tests read the same every time). A stream id
 * appears once; `keep` is listed too so a caller can count what it left alone.
 */
export function reconcileDiff(
  desired: ReadonlyMap<string, DesiredEntry>,
  observed: ReadonlyMap<string, ObservedEntry>,
): ReconcileAction[] {
  const ids = [...new Set([...desired.keys(), ...observed.keys()])].sort();
  const actions: ReconcileAction[] = [];
  for (const id of ids) {
    const action = diffOne(id, desired.get(id), observed.get(id));
    if (action) actions.push(action);
  }
  return actions;
}

/** How many actions of each kind (for a one-line log: "2 kept, 1 started, 1 removed"). */
export function countActions(actions: readonly ReconcileAction[]): Record<ReconcileActionKind, number> {
  const counts: Record<ReconcileActionKind, number> = { add: 0, remove: 0, update: 0, start: 0, stop: 0, keep: 0 };
  for (const action of actions) counts[action.kind]++;
  return counts;
}
