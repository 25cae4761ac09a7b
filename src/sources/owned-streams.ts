/**
 * Writing a desired-state source's streams into the store, for the streams it owns only.
 *
 * Each stream has one owner (file, api or controller). A source writes its streams with its own
 * name; the store refuses a change to a stream another source owns with StreamOwnedError, which
 * names that owner. Here that refusal is per stream: it is reported and the source's other
 * streams are still applied.
 *
 * The owner is the authority over its streams' spec AND desired state: what the source says is
 * written (an unchanged spec and desired state write nothing, so the generation does not move and
 * the reconciler has nothing to do for that stream).
 */
import type { StreamSpec } from '../domain/stream-spec.js';
import { StreamOwnedError, type StreamOwner, type StreamsRepository } from '../ports/store.js';

export type UpsertChange = 'created' | 'updated' | 'desired' | 'unchanged';

export interface RefusedStream {
  readonly id: string;
  /** Who owns it. */
  readonly owner: StreamOwner;
  readonly error: string;
}

export interface OwnedApplyReport {
  readonly created: readonly string[];
  /** Spec changed (the stream restarts if it runs). */
  readonly updated: readonly string[];
  /** Only the desired state changed (started or stopped, not restarted). */
  readonly desiredChanged: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
  /** Streams this source may not change: another source owns them. */
  readonly refused: readonly RefusedStream[];
}

/**
 * Creates or updates one stream owned by `owner`, with `spec.desired` as its desired state.
 * Throws StreamOwnedError when another source owns it (and the store's own errors).
 */
export async function upsertOwned(store: StreamsRepository, owner: StreamOwner, spec: StreamSpec): Promise<UpsertChange> {
  const { stream, change } = await store.putStream({ spec, owner });
  if (change === 'created' || stream.desired === spec.desired) return change;
  await store.setDesired(spec.id, spec.desired, { owner });
  return change === 'updated' ? 'updated' : 'desired';
}

/** Deletes one stream owned by `owner`; false when there was none. Throws StreamOwnedError when another source owns it. */
export function removeOwned(store: StreamsRepository, owner: StreamOwner, id: string): Promise<boolean> {
  return store.deleteStream(id, { owner });
}

export interface ApplyOwnedSetOptions {
  /**
   * Streams of this owner that are not in `specs` but must not be removed (e.g. a snapshot entry
   * that was malformed: bad input never stops a stream). `'all'` removes nothing.
   */
  readonly keep?: ReadonlySet<string> | 'all';
}

/**
 * Makes the streams owned by `owner` exactly `specs` (a three-way diff against the store):
 * new ones are created, changed ones updated, unchanged ones untouched, and streams of this
 * owner that are no longer listed are deleted. Streams of other owners are never touched; a
 * listed stream owned by another source is refused (reported, the rest goes on). A store
 * failure is thrown (what was written so far stays written; applying again is idempotent).
 */
export async function applyOwnedSet(store: StreamsRepository, owner: StreamOwner, specs: readonly StreamSpec[], options: ApplyOwnedSetOptions = {}): Promise<OwnedApplyReport> {
  const report = { created: [] as string[], updated: [] as string[], desiredChanged: [] as string[], unchanged: [] as string[], removed: [] as string[], refused: [] as RefusedStream[] };
  const refuse = (id: string, error: StreamOwnedError) => report.refused.push({ id, owner: error.owner, error: error.message });

  for (const spec of specs) {
    try {
      const change = await upsertOwned(store, owner, spec);
      if (change === 'created') report.created.push(spec.id);
      else if (change === 'updated') report.updated.push(spec.id);
      else if (change === 'desired') report.desiredChanged.push(spec.id);
      else report.unchanged.push(spec.id);
    } catch (error) {
      if (!(error instanceof StreamOwnedError)) throw error;
      refuse(spec.id, error);
    }
  }

  if (options.keep === 'all') return report;
  const listed = new Set(specs.map((spec) => spec.id));
  for (const stored of await store.listStreams()) {
    if (stored.owner !== owner || listed.has(stored.id) || options.keep?.has(stored.id)) continue;
    try {
      if (await removeOwned(store, owner, stored.id)) report.removed.push(stored.id);
    } catch (error) {
      // Taken over by another source meanwhile: not ours to delete any more.
      if (!(error instanceof StreamOwnedError)) throw error;
    }
  }
  return report;
}

/** True when applying changed anything (the reconciler has work to do). */
export function changedAnything(report: OwnedApplyReport): boolean {
  return report.created.length + report.updated.length + report.desiredChanged.length + report.removed.length > 0;
}

/** For one log line. */
export function summarise(report: OwnedApplyReport): Record<string, number | string[]> {
  return {
    created: report.created.length,
    updated: report.updated.length,
    desiredChanged: report.desiredChanged.length,
    unchanged: report.unchanged.length,
    removed: report.removed.length,
    ...(report.refused.length > 0 && { refused: report.refused.map((r) => `${r.id} (owned by ${r.owner})`) }),
  };
}
