/**
 * Binds streams that name an engine pool (`engine:` in their spec) to engines of the registry.
 * The stream supervisor calls `prepare` before each spawn; this acquires (least recently used
 * healthy engine with a free slot, the claim carrying the stream id) or keeps the engine held, and
 * puts its address into the source. The claim is released when the stream stops or is removed.
 * When the engine turns unhealthy, the stream takes another engine and is restarted on it (one
 * `engine-moved` event); with none to move to it stays, and moves once an engine turns healthy.
 *
 * The decisions are pure (domain/engines/engine-binding.ts); this file only applies them.
 */
import {
  bindSource,
  decideBeforeSpawn,
  decideOnTransition,
  type BoundEngine,
} from '../domain/engines/engine-binding.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { PreparedSource } from '../ports/source-preparer.js';
import type { StateChanged, SupervisorChangeMap } from '../events/stream-events.js';
import { TypedEvents } from '../events/typed-events.js';
import type { EngineRegistry, EngineTransitionEvent } from './engine-registry.js';

/** A stream left one engine for another (`from` absent: it had none, e.g. it was waiting). */
export interface EngineMoved {
  readonly streamId: string;
  readonly from?: string;
  readonly to: string;
  readonly reason: string;
  readonly at: number;
}

/** A stream could not get an engine: it is not started until one can be had. */
export interface EngineWaiting {
  readonly streamId: string;
  readonly reason: string;
  readonly at: number;
}

export interface EngineBindingEventMap {
  'engine-moved': EngineMoved;
  'engine-waiting': EngineWaiting;
}

/** What the binding needs of the Supervisor (a narrow view, so its fake is a few lines). */
export interface BoundStreams {
  has(id: string): boolean;
  /** The stream's spec and desired state, when it exists. */
  describe(id: string): { readonly spec: StreamSpec; readonly desired: DesiredState } | undefined;
  restart(id: string): Promise<unknown>;
  readonly events: { on(event: 'state', listener: (e: StateChanged) => void): () => void };
  readonly streamChanges: { on(event: 'removed', listener: (e: SupervisorChangeMap['removed']) => void): () => void };
}

export interface StreamEngineBindingOptions {
  readonly registry: EngineRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Held {
  readonly engineId: string;
  readonly claimId: string;
}

export class StreamEngineBinding {
  readonly events: TypedEvents<EngineBindingEventMap>;
  private readonly held = new Map<string, Held>();
  /** Streams whose last spawn found no engine. */
  private readonly waiting = new Set<string>();
  /** Streams on an unhealthy engine with nowhere to go yet. */
  private readonly stranded = new Set<string>();
  private streams: BoundStreams | undefined;
  private readonly unfollow: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: StreamEngineBindingOptions) {
    this.events = new TypedEvents((event, error) => options.logger.error({ event, err: error }, 'an engine binding listener failed'));
  }

  /**
   * Takes back the claims streams held before a restart (they are in the store), so an adopted
   * ffmpeg keeps its engine; then follows engine transitions and the streams' stops and removals.
   */
  attach(streams: BoundStreams): void {
    this.streams = streams;
    for (const { engineId, claim } of this.options.registry.supervisedClaims()) {
      if (claim.stream === undefined) continue;
      if (this.held.has(claim.stream)) {
        this.releaseClaim(claim.claimId); // two claims for one stream: keep the first
        continue;
      }
      this.held.set(claim.stream, { engineId, claimId: claim.claimId });
    }
    this.unfollow.push(
      this.options.registry.onTransition((event) => this.onTransition(event)),
      this.options.registry.onRemoved((engineId) => this.onRemoved(engineId)),
      streams.events.on('state', (e) => {
        if (e.to === 'stopped') this.release(e.streamId, 'the stream stopped');
      }),
      streams.streamChanges.on('removed', (e) => this.release(e.streamId, 'the stream was removed')),
    );
  }

  /** Releases claims of streams that no longer exist (removed while the daemon was down). */
  releaseOrphans(): void {
    for (const streamId of [...this.held.keys()]) {
      if (this.streams?.has(streamId) !== true) this.release(streamId, 'the stream no longer exists');
    }
  }

  /** The engine a stream runs on now, if any. */
  engineOf(streamId: string): string | undefined {
    return this.held.get(streamId)?.engineId;
  }

  /** The SourcePreparer of the stream supervisors. */
  prepare(spec: StreamSpec): PreparedSource {
    if (spec.engine === undefined) return { ok: true, source: spec.source };
    if (this.closed) return { ok: false, error: 'the daemon is shutting down; no engine is handed out' };
    const registry = this.options.registry;
    const held = this.held.get(spec.id);
    const bound = held && this.bound(held);
    const decision = decideBeforeSpawn(bound);
    if (decision.kind === 'keep' && held) {
      const engine = registry.spec(held.engineId);
      if (engine) return { ok: true, source: bindSource(spec.source, engine) };
    }
    const result = registry.acquire({ labels: spec.engine.labels, stream: spec.id, supervised: true });
    if (!result.ok) {
      // Keep a claim on an engine that is merely unhealthy: nothing better exists, and an
      // unhealthy status does not prove the stream cannot read from it. It is not used now though.
      const reason = `no engine available: ${result.message}`;
      this.waiting.add(spec.id);
      this.options.logger.warn({ stream: spec.id, reason: result.reason }, 'stream waits for an engine');
      this.events.emit('engine-waiting', { streamId: spec.id, reason, at: this.options.clock.now() });
      return { ok: false, error: reason };
    }
    if (held) this.releaseClaim(held.claimId);
    const to = result.claim.engine.spec;
    this.held.set(spec.id, { engineId: to.id, claimId: result.claim.claimId });
    this.waiting.delete(spec.id);
    this.stranded.delete(spec.id);
    if (held && held.engineId !== to.id) this.moved(spec.id, held.engineId, to.id, bound?.status === 'gone' ? 'its engine was removed' : 'its engine is unhealthy');
    return { ok: true, source: bindSource(spec.source, to) };
  }

  /** Stops following; no engine is handed out from here on (the daemon is stopping). */
  close(): void {
    this.closed = true;
    for (const off of this.unfollow.splice(0)) off();
  }

  private onTransition(event: EngineTransitionEvent): void {
    if (this.closed) return;
    if (event.to === 'unhealthy') {
      for (const [streamId, held] of this.held) {
        if (decideOnTransition({ bound: this.bound(held), waiting: false }, event) === 'move') this.move(streamId, 'its engine is unhealthy');
      }
      return;
    }
    if (event.to !== 'healthy') return;
    for (const streamId of [...this.stranded, ...this.waiting]) {
      const held = this.held.get(streamId);
      const bound = held && this.bound(held);
      const decision = decideOnTransition({ ...(bound && { bound }), waiting: this.waiting.has(streamId) }, event);
      if (decision === 'move') this.move(streamId, bound?.status === 'gone' ? 'its engine was removed' : 'its engine is unhealthy');
      else if (decision === 'retry') this.restart(streamId, 'an engine is available');
    }
  }

  /** Streams on a removed engine move now (their claims went with it), not at their next restart. */
  private onRemoved(engineId: string): void {
    if (this.closed) return;
    for (const [streamId, held] of [...this.held]) if (held.engineId === engineId) this.move(streamId, 'its engine was removed');
  }

  /** Acquires another engine for a running stream and restarts it there; stays when there is none. */
  private move(streamId: string, reason: string): void {
    const held = this.held.get(streamId);
    const stream = this.streams?.describe(streamId);
    if (!held || !stream?.spec.engine || stream.desired !== 'running') return;
    const result = this.options.registry.acquire({ labels: stream.spec.engine.labels, stream: streamId, supervised: true });
    if (!result.ok) {
      this.stranded.add(streamId);
      this.options.logger.warn({ stream: streamId, engine: held.engineId, why: reason, reason: result.reason }, 'no other engine to move the stream to');
      return;
    }
    this.releaseClaim(held.claimId);
    const to = result.claim.engine.spec.id;
    this.held.set(streamId, { engineId: to, claimId: result.claim.claimId });
    this.stranded.delete(streamId);
    this.moved(streamId, held.engineId, to, reason);
    this.restart(streamId, `moving to engine ${to}`);
  }

  private moved(streamId: string, from: string, to: string, reason: string): void {
    this.options.logger.info({ stream: streamId, from, to, reason }, 'stream moved to another engine');
    this.events.emit('engine-moved', { streamId, from, to, reason, at: this.options.clock.now() });
  }

  private restart(streamId: string, why: string): void {
    const streams = this.streams;
    if (!streams || streams.describe(streamId)?.desired !== 'running') return;
    streams.restart(streamId).catch((error: unknown) => this.options.logger.warn({ err: error, stream: streamId, why }, 'restarting the stream on its engine failed'));
  }

  private release(streamId: string, why: string): void {
    this.waiting.delete(streamId);
    this.stranded.delete(streamId);
    const held = this.held.get(streamId);
    if (!held) return;
    this.held.delete(streamId);
    this.releaseClaim(held.claimId);
    this.options.logger.debug({ stream: streamId, engine: held.engineId, why }, 'engine released');
  }

  private releaseClaim(claimId: string): void {
    // Gone already (the engine was removed with its claims): nothing to free.
    if (this.options.registry.engineOfClaim(claimId) !== undefined) this.options.registry.release(claimId);
  }

  private bound(held: Held): BoundEngine {
    const active = this.options.registry.engineOfClaim(held.claimId) === held.engineId;
    const status = active ? this.options.registry.status(held.engineId) : undefined;
    return { engineId: held.engineId, claimId: held.claimId, status: status ?? 'gone' };
  }
}
