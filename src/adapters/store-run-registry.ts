/**
 * The supervisor's RunRegistry over the store: what a later daemon needs to re-attach to the
 * processes this one started. Fire-and-forget: every error is logged, none is thrown, and a
 * missing store (not open yet, closed) is a logged no-op.
 *
 * runStarted records a run (`recordRunStart`) and stores the runtime entry under that run's id
 * (the runtime row references `runs`); runEnded closes that run in the history and clears the
 * entry if it still holds the pid (adopted runs are found through the stored entry). Calls
 * for one stream are applied in order, so an end never overtakes its start.
 */
import type { Logger } from '../ports/logger.js';
import type { RunsRepository, RuntimeRepository } from '../ports/store.js';
import type { RunOutcome, RunRegistry, RunStartedEntry } from '../ports/run-registry.js';

export type RegistryStore = RuntimeRepository & Pick<RunsRepository, 'recordRunStart' | 'recordRunEnd'>;

export interface StoreRunRegistry extends RunRegistry {
  /** Resolves once every call made so far has been applied (or failed and been logged). */
  flush(): Promise<void>;
}

export function storeRunRegistry(store: () => RegistryStore | undefined, logger: Logger): StoreRunRegistry {
  const chains = new Map<string, Promise<void>>();
  const enqueue = (stream: string, what: string, fields: Record<string, unknown>, call: (opened: RegistryStore) => Promise<void>): void => {
    const previous = chains.get(stream) ?? Promise.resolve();
    const next = previous.then(async () => {
      const opened = store();
      if (opened === undefined) {
        logger.warn(fields, `the store is unavailable; ${what} not recorded`);
        return;
      }
      try {
        await call(opened);
      } catch (error) {
        logger.warn({ ...fields, err: error }, `recording ${what} failed`);
      }
    });
    chains.set(stream, next);
    void next.finally(() => {
      if (chains.get(stream) === next) chains.delete(stream);
    });
  };
  return {
    runStarted: (entry: RunStartedEntry) => {
      const { identity } = entry;
      enqueue(entry.stream, 'a run start', { stream: entry.stream, pid: identity.pid }, async (opened) => {
        const runId = await opened.recordRunStart({ stream: entry.stream, startedAt: entry.startedAt, pid: identity.pid, specHash: entry.specHash });
        await opened.putRuntime({
          stream: entry.stream,
          runId,
          pid: identity.pid,
          pgid: identity.pgid,
          startTicks: identity.startTicks,
          bootId: identity.bootId,
          specHash: entry.specHash,
          cmdlineHash: identity.cmdlineHash,
          paths: identity.paths,
          startedAt: entry.startedAt,
        });
      });
    },
    runEnded: (stream: string, pid: number | undefined, outcome: RunOutcome) => {
      enqueue(stream, 'a run end', { stream, pid }, async (opened) => {
        const stored = (await opened.listRuntime()).find((entry) => entry.stream === stream && entry.pid === pid);
        await opened.clearRuntime(stream, pid);
        if (stored) await opened.recordRunEnd(stored.runId, outcome);
      });
    },
    flush: async () => {
      await Promise.all(chains.values());
    },
  };
}
