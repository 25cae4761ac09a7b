/**
 * The behaviour every Store implementation must have. Run it from the implementation's test:
 *
 *   runStoreContract('sqlite', async () => { const store = await open(); return { store, cleanup } });
 *
 * Each test gets a fresh, empty store. Times are passed in; nothing sleeps.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { historyContract } from './store-contract-history.js';
import { deliveryContract } from './store-contract-delivery.js';
import { enginesContract } from './store-contract-engines.js';
import { streamsContract } from './store-contract-streams.js';
import type { MakeStore, StoreUnderTest } from './store-fixtures.js';

export type { MakeStore, StoreUnderTest } from './store-fixtures.js';

/** The store of the running test. */
export interface ContractContext {
  readonly store: Store;
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
    historyContract(context);
    deliveryContract(context);
    enginesContract(context);
  });
}
