/**
 * The Supervisor as a ReconcileTarget. The Supervisor already serialises changes per stream
 * (update / remove / start / stop of one id never interleave) and never lets one stream wait for
 * another, which is what the reconciler relies on.
 */
import type { StreamSpec } from '../domain/stream-spec.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { ObservedEntry } from '../reconcile/diff.js';
import type { ReconcileTarget } from '../reconcile/reconciler.js';

export function supervisorTarget(supervisor: Supervisor): ReconcileTarget {
  return {
    list: () =>
      new Map<string, ObservedEntry>(
        supervisor.list().map((stream) => [stream.spec.id, { spec: stream.spec, desired: stream.desired, observed: stream.observed }]),
      ),
    // add is synchronous (it throws StreamExistsError on a duplicate id); a promise either way.
    add: (spec: StreamSpec) =>
      new Promise<void>((resolve) => {
        supervisor.add(spec);
        resolve();
      }),
    update: async (spec) => {
      await supervisor.update(spec);
    },
    remove: (id) => supervisor.remove(id),
    start: async (id) => {
      await supervisor.start(id);
    },
    stop: async (id) => {
      await supervisor.stop(id);
    },
  };
}
