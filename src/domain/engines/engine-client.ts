/**
 * The port the poller polls engines through (one implementation per kind, in
 * src/adapters/engines/). A client must honour `signal` (the poller aborts at its timeout), but
 * the poller does not rely on it: a client that never settles still frees its slot at the timeout.
 */
import type { PollOutcome } from './engine-health.js';
import type { EngineSpec } from './engine-spec.js';

/** A poll result before it is stamped with its time and duration. */
export interface PollAnswer {
  readonly kind: PollOutcome['kind'];
  readonly message: string;
}

export interface EngineClient {
  poll(signal: AbortSignal): Promise<PollAnswer>;
}

export type EngineClientFactory = (spec: EngineSpec) => EngineClient;
