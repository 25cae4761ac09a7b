/**
 * A reconcile target that can tell when the actions it was given for one stream have settled:
 * what lets an API write answer only once the reconciler has applied it.
 */
import type { ReconcileTarget } from './reconciler.js';

/** A ReconcileTarget that can say when the actions it was given for one stream have settled. */
export interface SettlingTarget extends ReconcileTarget {
  settled(id: string): Promise<void>;
}

export function settlingTarget(inner: ReconcileTarget): SettlingTarget {
  const pending = new Map<string, Promise<void>>();
  const track = (id: string, run: () => Promise<void>): Promise<void> => {
    const result = Promise.resolve().then(run);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    pending.set(id, settled);
    void settled.then(() => {
      if (pending.get(id) === settled) pending.delete(id);
    });
    return result;
  };
  return {
    list: () => inner.list(),
    add: (spec) => track(spec.id, () => inner.add(spec)),
    update: (spec) => track(spec.id, () => inner.update(spec)),
    remove: (id) => track(id, () => inner.remove(id)),
    start: (id) => track(id, () => inner.start(id)),
    stop: (id) => track(id, () => inner.stop(id)),
    settled: async (id) => {
      let seen: Promise<void> | undefined;
      while ((seen = pending.get(id)) !== undefined) await seen;
    },
  };
}
