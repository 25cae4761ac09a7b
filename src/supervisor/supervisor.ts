/**
 * All supervised streams of a daemon. Each stream has its own StreamSupervisor; a failure in one
 * never reaches another. Streams report on one shared event bus. Every method here is a user
 * intent (config, API, controller): failures never call them.
 */
import { canonicalJson } from '../domain/canonical-json.js';
import { IllegalTransitionError, StreamExistsError, UnknownStreamError } from '../domain/errors.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { StreamEventMap, SupervisorChangeMap } from '../events/stream-events.js';
import type { RuntimeEntry } from '../ports/store.js';
import { StreamSupervisor, type AdoptOutcome, type StreamSupervisorDeps } from './stream-supervisor.js';
import { KeyedQueue } from './keyed-queue.js';
import { TypedEvents } from '../events/typed-events.js';

export type UpdateOutcome = 'unchanged' | 'updated';

/** What `Supervisor.adopt` did with the stored runtime entries. */
export interface AdoptReport {
  /** Streams now supervising their adopted process (some then restart or stop it). */
  readonly adopted: readonly string[];
  /** Entries not adopted; `lost` ones were gone (run ended), the others were left alone. */
  readonly refused: readonly { readonly stream: string; readonly reason: Extract<AdoptOutcome, { adopted: false }>['reason']; readonly detail: string; readonly lost: boolean }[];
  /**
   * Entries of streams this supervisor does not know (removed while the daemon was away). Not
   * touched: their process, if still alive, is unsupervised until the caller deals with it.
   */
  readonly unknownStream: readonly string[];
}

export class Supervisor {
  readonly events: TypedEvents<StreamEventMap>;
  /** Streams added, updated, removed, and user intents (start / stop / restart). */
  readonly streamChanges: TypedEvents<SupervisorChangeMap>;
  private readonly streams = new Map<string, StreamSupervisor>();
  /** Serialises changes per stream id. */
  private readonly changes = new KeyedQueue();

  constructor(
    specs: readonly StreamSpec[],
    private readonly deps: Omit<StreamSupervisorDeps, 'events'>,
  ) {
    this.events = new TypedEvents((event, error) =>
      deps.logger.error({ event, err: error }, 'a stream event listener failed'),
    );
    this.streamChanges = new TypedEvents((event, error) =>
      deps.logger.error({ event, err: error }, 'a stream change listener failed'),
    );
    for (const spec of specs) this.create(spec);
  }

  /**
   * Re-attaches to the processes a previous daemon left running. Call at boot, after the streams
   * are known and BEFORE anything starts (startDesired, reconcile): a stream is adopted only while
   * stopped. Each entry is handled by its stream (StreamSupervisor.adopt); a second entry for an
   * already adopted stream is refused ('not-stopped') and never signalled.
   */
  adopt(entries: readonly RuntimeEntry[]): AdoptReport {
    const adopted: string[] = [];
    const refused: AdoptReport['refused'][number][] = [];
    const unknownStream: string[] = [];
    for (const entry of entries) {
      const stream = this.streams.get(entry.stream);
      if (!stream) {
        this.deps.logger.warn({ stream: entry.stream, pid: entry.pid }, 'stored run of an unknown stream; not adopted');
        unknownStream.push(entry.stream);
        continue;
      }
      const outcome = stream.adopt(entry);
      if (outcome.adopted) adopted.push(entry.stream);
      else refused.push({ stream: entry.stream, reason: outcome.reason, detail: outcome.detail, lost: outcome.lost });
    }
    return { adopted, refused, unknownStream };
  }

  /** Starts every stream whose desired state is running. */
  startDesired(): void {
    for (const stream of this.streams.values()) {
      if (stream.spec.desired === 'running') stream.start();
    }
  }

  list(): StreamSupervisor[] {
    return [...this.streams.values()];
  }

  has(id: string): boolean {
    return this.streams.has(id);
  }

  get(id: string): StreamSupervisor {
    const stream = this.streams.get(id);
    if (!stream) throw new UnknownStreamError(id);
    return stream;
  }

  /** Adds a stream and starts it when its desired state is running. */
  add(spec: StreamSpec): StreamSupervisor {
    if (this.streams.has(spec.id)) throw new StreamExistsError(spec.id);
    const stream = this.create(spec);
    this.streamChanges.emit('added', { streamId: spec.id });
    if (spec.desired === 'running') stream.start();
    return stream;
  }

  /**
   * Applies a changed spec: an unchanged one is not touched; a changed one is stopped, swapped
   * and started again if it is wanted running.
   */
  update(spec: StreamSpec): Promise<UpdateOutcome> {
    return this.changes.run(spec.id, async () => {
      const stream = this.get(spec.id);
      if (canonicalJson(stream.spec) === canonicalJson(spec)) return 'unchanged';
      await stream.stop();
      stream.replaceSpec(spec);
      this.streamChanges.emit('updated', { streamId: spec.id });
      if (spec.desired === 'running') stream.start();
      return 'updated';
    });
  }

  /** Wants the stream running and starts it (a no-op when it already runs). Serialised with update / remove. */
  start(id: string): Promise<StreamSupervisor> {
    return this.changes.run(id, () => {
      const stream = this.get(id);
      this.streamChanges.emit('intent', { streamId: id, intent: 'start' });
      stream.start();
      return Promise.resolve(stream);
    });
  }

  /**
   * Wants the stream stopped and asks it to stop; resolves once asked, not once the process has
   * exited (that may take the stop policy's grace periods). Stopping a stopped stream is a no-op.
   */
  stop(id: string): Promise<StreamSupervisor> {
    return this.changes.run(id, () => {
      const stream = this.get(id);
      this.streamChanges.emit('intent', { streamId: id, intent: 'stop' });
      void stream.stop();
      return Promise.resolve(stream);
    });
  }

  /**
   * Restarts a stream that is wanted running (now, outside the restart budget). A stream that is
   * wanted stopped is refused with IllegalTransitionError: restarting it would silently change
   * what the user asked for; `start` says that explicitly.
   */
  restart(id: string): Promise<StreamSupervisor> {
    return this.changes.run(id, () => {
      const stream = this.get(id);
      if (stream.desired === 'stopped') {
        throw new IllegalTransitionError(stream.observed, 'restart', 'the stream is stopped (desired state "stopped"); start it instead');
      }
      this.streamChanges.emit('intent', { streamId: id, intent: 'restart' });
      stream.restart();
      return Promise.resolve(stream);
    });
  }

  /** Stops a stream and forgets it. */
  remove(id: string): Promise<void> {
    return this.changes.run(id, async () => {
      const stream = this.get(id);
      await stream.stop();
      this.streams.delete(id);
      this.streamChanges.emit('removed', { streamId: id });
    });
  }

  /** Stops every stream (SIGINT, then SIGTERM, then SIGKILL to each group) and waits for all to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((stream) => stream.stop()));
  }

  private create(spec: StreamSpec): StreamSupervisor {
    const stream = new StreamSupervisor(spec, { ...this.deps, events: this.events });
    this.streams.set(spec.id, stream);
    return stream;
  }
}
