/**
 * How the API changes streams: every change is written to the store first (owner `api`), then
 * the reconciler applies it, and the call resolves once that stream's reconcile action has
 * settled, so the API answers only once the change is applied (a delete: once the process has
 * exited). Only the reconciler changes which streams the supervisor runs; the API never races it.
 *
 * Streams owned by the config file or the controller cannot be changed or deleted here
 * (StreamOwnedError naming the owner); start / stop are allowed on every stream (they are the
 * user's intent, persisted as its desired state). Without an open store every change is refused
 * with StoreUnavailableError and nothing changes.
 */
import { StreamExistsError, UnknownStreamError } from '../domain/errors.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import { StoreUnavailableError, StreamOwnedError, type StoredStream, type StreamsRepository } from '../ports/store.js';
import { diffOne } from './diff.js';
import type { DesiredReader } from './reconciler.js';
import type { SettlingTarget } from './settling-target.js';

export interface StreamServiceOptions {
  /** The store once open; undefined while it is unavailable. */
  readonly store: () => StreamsRepository | undefined;
  readonly reconciler: { reconcileNow(): Promise<unknown> };
  readonly target: SettlingTarget;
  readonly readDesired: DesiredReader;
  /** Passes tried before giving up waiting (the change stays stored; later passes apply it). @default 5 */
  readonly maxPasses?: number;
}

export class StreamService {
  private readonly maxPasses: number;

  constructor(private readonly options: StreamServiceOptions) {
    this.maxPasses = options.maxPasses ?? 5;
  }

  /** Throws StreamExistsError when a stream of that id is stored or supervised. */
  async create(spec: StreamSpec): Promise<void> {
    const store = this.store();
    if ((await store.getStream(spec.id)) || this.options.target.list().has(spec.id)) throw new StreamExistsError(spec.id);
    await store.putStream({ spec, owner: 'api' });
    await this.applied(spec.id);
  }

  /** `build` turns the stored stream into its new spec (it may keep what the request leaves out). */
  async update(id: string, build: (stored: StoredStream) => StreamSpec): Promise<void> {
    const store = this.store();
    const stored = await this.owned(store, id, true);
    const spec = build(stored);
    await store.putStream({ spec, owner: 'api' });
    if (spec.desired !== stored.desired) await store.setDesired(id, spec.desired, { owner: 'api' });
    await this.applied(id);
  }

  async remove(id: string): Promise<void> {
    const store = this.store();
    await this.owned(store, id, true);
    await store.deleteStream(id, { owner: 'api' });
    await this.applied(id);
  }

  /** start / stop: the user's intent, allowed whoever owns the stream. */
  async setDesired(id: string, desired: DesiredState): Promise<void> {
    const store = this.store();
    await this.owned(store, id, false);
    await store.setDesired(id, desired);
    await this.applied(id);
  }

  private store(): StreamsRepository {
    const store = this.options.store();
    if (!store) throw new StoreUnavailableError('cannot-open', 'NONE', 'the store is not open; changes cannot be persisted');
    return store;
  }

  /** The stored stream; UnknownStreamError, or StreamOwnedError when `apiOnly` and another source owns it. */
  private async owned(store: StreamsRepository, id: string, apiOnly: boolean): Promise<StoredStream> {
    const stored = await store.getStream(id);
    if (!stored) throw new UnknownStreamError(id);
    if (apiOnly && stored.owner !== 'api') throw new StreamOwnedError(id, stored.owner, 'api');
    return stored;
  }

  /** Resolves once the stored desired state of `id` is applied (or after a few passes that could not apply it). */
  private async applied(id: string): Promise<void> {
    for (let pass = 0; pass < this.maxPasses; pass++) {
      // Joins a pass in progress and runs another, which reads the store as written now.
      await this.options.reconciler.reconcileNow();
      await this.options.target.settled(id);
      const want = (await this.options.readDesired()).get(id);
      const action = diffOne(id, want, this.options.target.list().get(id));
      if (action === undefined || action.kind === 'keep') return;
    }
  }
}
