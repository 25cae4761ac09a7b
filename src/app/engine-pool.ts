/**
 * The daemon's engine pool, wired: the registry (config engines, and the engines, usage and claims
 * kept in the store), its poller, the binding of streams to engines, and what follows from them —
 * a stream's move as an event and a notice, an engine's health as an `engine-unhealthy` alert.
 */
import { createEngineClient } from '../adapters/engines/create-engine-client.js';
import type { EnginePollingConfig } from '../config/types.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import type { EventJournal } from '../events/event-journal.js';
import type { AlertManager } from '../notify/alert-manager.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { EnginePoller } from '../engines/engine-poller.js';
import { EngineRegistry, type EngineMetricsSink } from '../engines/engine-registry.js';
import { StoreEngineRepository } from '../engines/engine-repository.js';
import { followEngineMoves } from './follow-engine-moves.js';
import { StreamEngineBinding, type BoundStreams } from '../engines/stream-engine-binding.js';

export interface EnginePoolOptions {
  readonly polling: EnginePollingConfig;
  readonly configEngines: readonly EngineSpec[];
  readonly clock: Clock;
  /** Read on every write: the store may open after the pool was built. */
  readonly store: () => Store | undefined;
  readonly metrics: EngineMetricsSink;
  readonly logger: Logger;
  readonly journal: EventJournal;
  /** Read on every notice: notifications start once the store is open. */
  readonly alerts: () => AlertManager | undefined;
  readonly streams: BoundStreams;
  readonly streamName: (id: string) => string;
}

export interface EnginePool {
  readonly registry: EngineRegistry;
  readonly binding: StreamEngineBinding;
  startPolling(): void;
  /** No more polls, moves or alerts followed: before the streams stop (stopping is not an incident). */
  stopFollowing(): Promise<void>;
}

export async function createEnginePool(options: EnginePoolOptions): Promise<EnginePool> {
  const { polling, clock, logger } = options;
  const registry = new EngineRegistry({
    clock,
    repository: new StoreEngineRepository(options.store),
    metrics: options.metrics,
    logger: logger.child({ component: 'engines' }),
    health: {
      ...(polling.failureThreshold !== undefined && { failureThreshold: polling.failureThreshold }),
      ...(polling.successThreshold !== undefined && { successThreshold: polling.successThreshold }),
      ...(polling.unparsableThreshold !== undefined && { unparsableThreshold: polling.unparsableThreshold }),
      ...(polling.graceMs !== undefined && { graceMs: polling.graceMs }),
    },
  });
  await registry.load();
  registry.replaceConfigEngines(options.configEngines);
  const poller = new EnginePoller({
    clock,
    target: registry,
    clientFor: createEngineClient,
    logger: logger.child({ component: 'engine-poller' }),
    ...(polling.intervalMs !== undefined && { intervalMs: polling.intervalMs }),
    ...(polling.timeoutMs !== undefined && { timeoutMs: polling.timeoutMs }),
    ...(polling.maxInFlight !== undefined && { maxInFlight: polling.maxInFlight }),
  });
  const binding = new StreamEngineBinding({ registry, clock, logger: logger.child({ component: 'engine-binding' }) });
  binding.attach(options.streams);
  const unfollowMoves = followEngineMoves(binding, options.journal, options.alerts, options.streamName);
  // An engine is a daemon-level subject: `engine:<id>` can never be a stream id, so only global notifiers get it.
  const unfollowHealth = registry.onTransition((e) => {
    const alerts = options.alerts();
    if (!alerts) return;
    const stream = `engine:${e.engineId}`;
    if (e.to === 'unhealthy') {
      void alerts.conditionActive({ condition: 'engine-unhealthy', stream, severity: 'warning', title: `engine ${e.engineId} is unhealthy`, what: e.reason });
    } else if (e.to === 'healthy') {
      void alerts.conditionCleared('engine-unhealthy', stream);
    }
  });
  return {
    registry,
    binding,
    startPolling: () => poller.start(),
    stopFollowing: async () => {
      unfollowHealth();
      unfollowMoves();
      await poller.stop();
    },
  };
}

/** The Supervisor as the binding sees it. */
export function boundStreamsOf(supervisor: Supervisor): BoundStreams {
  return {
    has: (id) => supervisor.has(id),
    describe: (id) => {
      if (!supervisor.has(id)) return undefined;
      const stream = supervisor.get(id);
      return { spec: stream.spec, desired: stream.desired };
    },
    restart: (id) => supervisor.restart(id),
    events: supervisor.events,
    streamChanges: supervisor.streamChanges,
  };
}
