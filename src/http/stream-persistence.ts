/**
 * How the REST API changes streams when the daemon has a store: every change is written to the
 * store first (owner `api`), then the reconciler applies it, and the request waits for that
 * stream's reconcile action to settle, so that the API keeps answering only once the change is
 * applied (DELETE: once the process has exited). Only the reconciler changes which streams the
 * supervisor runs; the API never races it.
 */
import { diffOne } from '../reconcile/diff.js';
import type { DesiredReader } from '../reconcile/reconciler.js';
import type { SettlingTarget } from '../reconcile/settling-target.js';
import { StoreUnavailableError, type Store } from '../ports/store.js';

export interface StreamPersistence {
  /** The open store; throws StoreUnavailableError (503) while there is none. */
  store(): Store;
  /** Resolves once the stored desired state of `id` is applied (or after a few passes that could not apply it). */
  applied(id: string): Promise<void>;
}

export interface StreamPersistenceOptions {
  /** The store once open; undefined while it is unavailable. */
  readonly store: () => Store | undefined;
  readonly reconciler: { reconcileNow(): Promise<unknown> };
  readonly target: SettlingTarget;
  readonly readDesired: DesiredReader;
  /** Passes tried before giving up waiting (the change stays stored; later passes apply it). @default 5 */
  readonly maxPasses?: number;
}

export function streamPersistence(options: StreamPersistenceOptions): StreamPersistence {
  const maxPasses = options.maxPasses ?? 5;
  return {
    store: () => {
      const store = options.store();
      if (!store) throw new StoreUnavailableError('cannot-open', 'NONE', 'the store is not open; changes cannot be persisted');
      return store;
    },
    applied: async (id) => {
      for (let pass = 0; pass < maxPasses; pass++) {
        // Joins a pass in progress and runs another, which reads the store as written now.
        await options.reconciler.reconcileNow();
        await options.target.settled(id);
        const want = (await options.readDesired()).get(id);
        const action = diffOne(id, want, options.target.list().get(id));
        if (action === undefined || action.kind === 'keep') return;
      }
    },
  };
}
