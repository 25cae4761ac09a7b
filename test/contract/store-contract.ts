/**
 * The behaviour every Store implementation must have, one suite per repository (each typed with
 * only the repository it tests), plus retention and upkeep over the whole store. Run it from the
 * implementation's test:
 *
 *   runStoreContract('sqlite', async () => { const store = await open(); return { store, cleanup } });
 *
 * Each test gets a fresh, empty store. Times are passed in; nothing sleeps.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { alertsContract, maintenanceContract, outboxContract, retentionContract } from './store-contract-delivery.js';
import { enginesContract } from './store-contract-engines.js';
import { eventsContract, recoveriesContract, runsContract } from './store-contract-history.js';
import { runtimeContract, streamsContract } from './store-contract-streams.js';
import type { MakeStore, StoreUnderTest } from './store-fixtures.js';

export type { MakeStore, StoreUnderTest } from './store-fixtures.js';

/** The repository of the running test. */
export interface ContractContext<R = Store> {
  readonly store: R;
}

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    const context: ContractContext = {
      get store(): Store {
        if (!current) throw new Error('no store: used outside a test');
        return current.store;
      },
    };
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    streamsContract(context);
    runtimeContract(context);
    runsContract(context);
    recoveriesContract(context);
    eventsContract(context);
    alertsContract(context);
    outboxContract(context);
    enginesContract(context);
    retentionContract(context);
    maintenanceContract(context);
  });
}
