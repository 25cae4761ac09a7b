/**
 * The reconcile loop of a daemon: it feeds the supervisor from the store's desired set (the
 * config's streams while no store is open), through a target that waits for each change to settle.
 */
import type { Config } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { Reconciler, storeDesired, type DesiredReader } from '../reconcile/reconciler.js';
import { settlingTarget, type SettlingTarget } from '../reconcile/settling-target.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { supervisorTarget } from './supervisor-target.js';

export interface ReconcileLoop {
  readonly reconciler: Reconciler;
  readonly target: SettlingTarget;
  readonly readDesired: DesiredReader;
}

export function createReconcileLoop(options: {
  readonly config: Config;
  readonly store: () => Store | undefined;
  readonly supervisor: Supervisor;
  /** Resolves once boot adoption is done: no pass runs before. */
  readonly ready: Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
}): ReconcileLoop {
  const configDesired = new Map(options.config.streams.map((spec) => [spec.id, { spec, desired: spec.desired }]));
  const readDesired: DesiredReader = () => {
    const open = options.store();
    return open ? storeDesired(open)() : Promise.resolve(configDesired);
  };
  const target = settlingTarget(supervisorTarget(options.supervisor));
  const reconciler = new Reconciler({ target, readDesired, clock: options.clock, logger: options.logger, ready: options.ready });
  return { reconciler, target, readDesired };
}
