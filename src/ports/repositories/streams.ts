/** What the user wants: stream specs, their desired state and their owner. */
import type { DesiredState, StreamSpec } from '../../domain/stream-spec.js';
import { StreamwardenError } from '../../domain/errors.js';

/** Which desired-state source a stream belongs to; the others may not change it. */
export type StreamOwner = 'file' | 'api' | 'controller';
export const STREAM_OWNERS: readonly StreamOwner[] = ['file', 'api', 'controller'];

export interface StoredStream {
  readonly id: string;
  /** `spec.desired` always equals `desired` below. */
  readonly spec: StreamSpec;
  readonly desired: DesiredState;
  readonly owner: StreamOwner;
  readonly generation: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PutStreamInput {
  readonly spec: StreamSpec;
  readonly owner: StreamOwner;
}

export interface PutStreamResult {
  readonly stream: StoredStream;
  /** `unchanged` when the spec was equal to the stored one (nothing written, generation kept). */
  readonly change: 'created' | 'updated' | 'unchanged';
}

/** Given, the write is refused with StreamOwnedError unless the stream belongs to this owner. */
export interface OwnerGuard {
  readonly owner?: StreamOwner;
}

export interface StreamsRepository {
  /** Creates or updates a spec. A new stream starts with `spec.desired`; an existing one keeps its desired state. */
  putStream(input: PutStreamInput): Promise<PutStreamResult>;
  /** The only way desired state changes after creation. Throws UnknownStreamError. */
  setDesired(id: string, desired: DesiredState, guard?: OwnerGuard): Promise<StoredStream>;
  /** False when there was no such stream. */
  deleteStream(id: string, guard?: OwnerGuard): Promise<boolean>;
  getStream(id: string): Promise<StoredStream | undefined>;
  /** Ordered by id. */
  listStreams(): Promise<StoredStream[]>;
}

export class StreamOwnedError extends StreamwardenError {
  constructor(
    readonly streamId: string,
    readonly owner: StreamOwner,
    readonly requestedBy: StreamOwner,
  ) {
    super('STREAM_OWNED', `stream "${streamId}" is owned by ${owner}; ${requestedBy} may not change it`);
  }
}
