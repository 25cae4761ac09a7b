/**
 * The engine pool: specs, health, usage and claims, in memory (authoritative; written behind to an
 * EngineRepository). Every method is synchronous, so `acquire` chooses and claims a slot in one
 * tick: two concurrent acquires can never get the same last slot.
 *
 * Claims: `acquire` returns a claim id; `release(claimId)` frees exactly that slot (a second
 * release of the same claim is CLAIM_NOT_FOUND, never a slot freed twice). `lastStreamUsage` is
 * set when a stream starts on an engine (on acquire).
 */
import { randomUUID } from 'node:crypto';
import {
  createEngineHealth,
  DEFAULT_ENGINE_HEALTH,
  recordPoll,
  type EngineHealthConfig,
  type EngineHealthState,
  type EngineHealthTransition,
  type PollOutcome,
} from '../domain/engines/engine-health.js';
import {
  ClaimNotFoundError,
  EngineExistsError,
  EngineInUseError,
  EngineNotFoundError,
  EngineOwnedByConfigError,
  NoEngineAvailableError,
} from '../domain/engines/engine-errors.js';
import { selectEngine, type NoEngineReason, type SelectableEngine } from '../domain/engines/engine-selection.js';
import type { EngineSource, EngineSpec } from '../domain/engines/engine-spec.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { EngineRecord, EngineRepository, StoredClaim } from './engine-repository.js';

/** The metric hooks the pool calls; StreamwardenMetrics has the first two today. */
export interface EngineMetricsSink {
  setEngineHealth(engine: string, health: 'healthy' | 'unhealthy' | 'unknown'): void;
  removeEngine(engine: string): void;
  /** streamwarden_engine_probe_duration_seconds (histogram, no engine label). */
  observeEngineProbe?(seconds: number): void;
  /** streamwarden_engine_streams{engine}. */
  setEngineStreams?(engine: string, streams: number): void;
}

export interface EngineView {
  readonly spec: EngineSpec;
  readonly source: EngineSource;
  readonly health: EngineHealthState;
  readonly lastStreamUsage?: number;
  readonly claims: readonly StoredClaim[];
}

export interface Claim {
  readonly claimId: string;
  readonly engine: EngineView;
  readonly at: number;
}

export interface AcquireRequest {
  readonly labels?: Readonly<Record<string, string>>;
  /** Who uses the slot (a stream id), shown in the engine's `streams`. */
  readonly stream?: string;
  /** The daemon's stream supervision takes the slot for `stream` (see StreamEngineBinding). */
  readonly supervised?: boolean;
}

export type AcquireResult =
  | { readonly ok: true; readonly claim: Claim }
  | { readonly ok: false; readonly reason: NoEngineReason; readonly message: string };

export interface EngineTransitionEvent extends EngineHealthTransition {
  readonly engineId: string;
}

export interface EngineRegistryOptions {
  readonly clock: Clock;
  readonly health?: Partial<EngineHealthConfig>;
  readonly repository?: EngineRepository;
  readonly metrics?: EngineMetricsSink;
  readonly logger?: Logger;
  /** Claim ids; default crypto.randomUUID. */
  readonly newClaimId?: () => string;
}

interface Entry {
  spec: EngineSpec;
  source: EngineSource;
  addedAt: number;
  health: EngineHealthState;
  lastStreamUsage?: number;
  claims: Map<string, StoredClaim>;
}

type Listener<T> = (event: T) => void;

export class EngineRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly claimIndex = new Map<string, string>();
  private readonly healthConfig: EngineHealthConfig;
  private readonly transitionListeners = new Set<Listener<EngineTransitionEvent>>();
  private readonly addedListeners = new Set<Listener<string>>();
  private readonly removedListeners = new Set<Listener<string>>();
  private readonly newClaimId: () => string;

  constructor(private readonly options: EngineRegistryOptions) {
    this.healthConfig = { ...DEFAULT_ENGINE_HEALTH, ...options.health };
    this.newClaimId = options.newClaimId ?? randomUUID;
  }

  /** Restores engines and their claims from the repository (call once, before the poller starts). */
  async load(): Promise<void> {
    const records = await this.options.repository?.load();
    for (const record of records ?? []) this.insert(record);
  }

  /**
   * The repository became reachable after start (the store opened late): the stored engines this
   * registry does not have yet (API engines) are added and polled, `configSpecs` are applied again
   * (a stored config engine no longer listed goes), and every engine is written through, since
   * writes made while the store was away were dropped.
   */
  async loadLate(configSpecs: readonly EngineSpec[]): Promise<void> {
    const records = await this.options.repository?.load();
    const added: string[] = [];
    for (const record of records ?? []) {
      if (this.entries.has(record.spec.id)) continue;
      this.insert(record);
      added.push(record.spec.id);
    }
    this.replaceConfigEngines(configSpecs);
    for (const entry of this.entries.values()) this.persist(entry);
    for (const id of added.filter((id) => this.entries.has(id))) this.notifyAdded(id);
  }

  /** Adds an engine; ENGINE_EXISTS when the id is taken. */
  add(spec: EngineSpec, source: EngineSource = 'api'): EngineView {
    if (this.entries.has(spec.id)) throw new EngineExistsError(spec.id);
    const entry = this.insert({ spec, source, addedAt: this.options.clock.now(), claims: [] });
    this.persist(entry);
    this.notifyAdded(spec.id);
    return view(entry);
  }

  /**
   * Makes the config engines exactly `specs`: new ones are added, changed ones updated (health
   * kept unless host, port or kind changed), config engines no longer listed are removed (their
   * claims go with them). API engines are left alone; a config id that clashes with an API engine
   * takes it over.
   */
  replaceConfigEngines(specs: readonly EngineSpec[]): void {
    const wanted = new Set(specs.map((spec) => spec.id));
    for (const entry of [...this.entries.values()]) {
      if (entry.source === 'config' && !wanted.has(entry.spec.id)) this.remove(entry.spec.id, { force: true, source: 'config' });
    }
    for (const spec of specs) {
      const entry = this.entries.get(spec.id);
      if (entry === undefined) {
        this.add(spec, 'config');
        continue;
      }
      const moved = entry.spec.host !== spec.host || entry.spec.port !== spec.port || entry.spec.kind !== spec.kind;
      entry.spec = spec;
      entry.source = 'config';
      if (moved) this.setHealth(entry, createEngineHealth(this.healthConfig, this.options.clock.now()));
      this.persist(entry);
    }
  }

  /** Removes an engine; ENGINE_IN_USE while it has claims unless `force`. */
  remove(id: string, options: { force?: boolean; source?: EngineSource } = {}): void {
    const entry = this.entry(id);
    if ((options.source ?? 'api') === 'api' && entry.source === 'config') throw new EngineOwnedByConfigError(id);
    if (entry.claims.size > 0 && options.force !== true) throw new EngineInUseError(id, entry.claims.size);
    for (const claimId of entry.claims.keys()) this.claimIndex.delete(claimId);
    this.entries.delete(id);
    this.options.metrics?.removeEngine(id);
    this.options.repository?.remove(id).catch((error: unknown) => this.options.logger?.error({ err: error, engine: id }, 'removing the engine from the store failed'));
    for (const listener of this.removedListeners) safely(() => listener(id), this.options.logger);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): EngineView {
    return view(this.entry(id));
  }

  list(): EngineView[] {
    return [...this.entries.values()].map(view);
  }

  /** Engine ids in insertion order (the poller's round order). */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  spec(id: string): EngineSpec | undefined {
    return this.entries.get(id)?.spec;
  }

  /**
   * Chooses the least recently used healthy engine with a free slot and claims it, in this tick.
   * When nothing qualifies the result says why (no engines, no label match, none healthy, all full).
   */
  acquire(request: AcquireRequest = {}): AcquireResult {
    const selection = selectEngine(this.selectable(), request.labels);
    if (!selection.ok) return { ok: false, reason: selection.reason, message: selection.message };
    const entry = this.entry(selection.id);
    const at = this.options.clock.now();
    const claimId = this.newClaimId();
    const claim: StoredClaim = {
      claimId,
      at,
      ...(request.stream !== undefined && { stream: request.stream }),
      ...(request.supervised === true && { supervised: true }),
    };
    entry.claims.set(claimId, claim);
    entry.lastStreamUsage = at;
    this.claimIndex.set(claimId, entry.spec.id);
    this.options.metrics?.setEngineStreams?.(entry.spec.id, entry.claims.size);
    this.persist(entry);
    return { ok: true, claim: { claimId, engine: view(entry), at } };
  }

  /** `acquire`, throwing NoEngineAvailableError (with a code per reason) when nothing qualifies. */
  acquireOrThrow(request: AcquireRequest = {}): Claim {
    const result = this.acquire(request);
    if (!result.ok) throw new NoEngineAvailableError(result.reason, result.message);
    return result.claim;
  }

  /** Frees the slot of a claim; CLAIM_NOT_FOUND when unknown or already released. */
  release(claimId: string): EngineView {
    const id = this.claimIndex.get(claimId);
    const entry = id === undefined ? undefined : this.entries.get(id);
    if (entry === undefined || !entry.claims.delete(claimId)) throw new ClaimNotFoundError(claimId);
    this.claimIndex.delete(claimId);
    this.options.metrics?.setEngineStreams?.(entry.spec.id, entry.claims.size);
    this.persist(entry);
    return view(entry);
  }

  /** Claims held by stream supervision, with their engine (read once at boot to restore bindings). */
  supervisedClaims(): { readonly engineId: string; readonly claim: StoredClaim }[] {
    const found: { engineId: string; claim: StoredClaim }[] = [];
    for (const entry of this.entries.values()) {
      for (const claim of entry.claims.values()) if (claim.supervised === true) found.push({ engineId: entry.spec.id, claim });
    }
    return found;
  }

  /** The engine's health status, or undefined when there is no such engine. */
  status(id: string): EngineHealthState['status'] | undefined {
    return this.entries.get(id)?.health.status;
  }

  /** The claim's engine, or undefined when the claim is not active. */
  engineOfClaim(claimId: string): string | undefined {
    return this.claimIndex.get(claimId);
  }

  /** Applies one poll outcome (from the poller); ignored when the engine is gone. */
  recordPoll(id: string, outcome: PollOutcome): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.options.metrics?.observeEngineProbe?.(Math.max(0, outcome.durationMs) / 1_000);
    const update = recordPoll(this.healthConfig, entry.health, outcome);
    this.setHealth(entry, update.state);
    if (update.transition === undefined) return;
    const event: EngineTransitionEvent = { engineId: id, ...update.transition };
    // A first verdict of healthy is the expected case (10,000 of them when a large pool starts): debug.
    const level = event.from === 'unknown' && event.to === 'healthy' ? 'debug' : 'info';
    this.options.logger?.[level]({ engine: id, from: event.from, to: event.to, reason: event.reason }, 'engine health changed');
    for (const listener of this.transitionListeners) safely(() => listener(event), this.options.logger);
  }

  /** Health transitions (for notifications and SSE); returns the unsubscribe function. */
  onTransition(listener: Listener<EngineTransitionEvent>): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** Engines added (the poller polls them at once). */
  onAdded(listener: Listener<string>): () => void {
    this.addedListeners.add(listener);
    return () => this.addedListeners.delete(listener);
  }

  /** After an engine is removed (by the API, or by a config that no longer lists it); its claims went with it. */
  onRemoved(listener: Listener<string>): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  private *selectable(): Iterable<SelectableEngine> {
    for (const entry of this.entries.values()) {
      yield {
        id: entry.spec.id,
        status: entry.health.status,
        labels: entry.spec.labels,
        capacity: entry.spec.capacity,
        streams: entry.claims.size,
        ...(entry.lastStreamUsage !== undefined && { lastStreamUsage: entry.lastStreamUsage }),
      };
    }
  }

  private notifyAdded(id: string): void {
    for (const listener of this.addedListeners) safely(() => listener(id), this.options.logger);
  }

  private insert(record: EngineRecord): Entry {
    const entry: Entry = {
      spec: record.spec,
      source: record.source,
      addedAt: record.addedAt,
      health: createEngineHealth(this.healthConfig, this.options.clock.now()),
      claims: new Map(record.claims.map((claim) => [claim.claimId, claim])),
      ...(record.lastStreamUsage !== undefined && { lastStreamUsage: record.lastStreamUsage }),
    };
    this.entries.set(record.spec.id, entry);
    for (const claimId of entry.claims.keys()) this.claimIndex.set(claimId, record.spec.id);
    this.options.metrics?.setEngineHealth(record.spec.id, 'unknown');
    this.options.metrics?.setEngineStreams?.(record.spec.id, entry.claims.size);
    return entry;
  }

  private setHealth(entry: Entry, health: EngineHealthState): void {
    const before = entry.health.status;
    entry.health = health;
    if (before !== health.status) {
      this.options.metrics?.setEngineHealth(entry.spec.id, health.status === 'degraded' ? 'unhealthy' : health.status);
    }
  }

  private persist(entry: Entry): void {
    const repository = this.options.repository;
    if (repository === undefined) return;
    const record: EngineRecord = {
      spec: entry.spec,
      source: entry.source,
      addedAt: entry.addedAt,
      claims: [...entry.claims.values()],
      ...(entry.lastStreamUsage !== undefined && { lastStreamUsage: entry.lastStreamUsage }),
    };
    repository.save(record).catch((error: unknown) => this.options.logger?.error({ err: error, engine: entry.spec.id }, 'saving the engine failed'));
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new EngineNotFoundError(id);
    return entry;
  }
}

function view(entry: Entry): EngineView {
  return {
    spec: entry.spec,
    source: entry.source,
    health: entry.health,
    claims: [...entry.claims.values()],
    ...(entry.lastStreamUsage !== undefined && { lastStreamUsage: entry.lastStreamUsage }),
  };
}

function safely(fn: () => void, logger: Logger | undefined): void {
  try {
    fn();
  } catch (error) {
    logger?.error({ err: error }, 'an engine listener threw');
  }
}
