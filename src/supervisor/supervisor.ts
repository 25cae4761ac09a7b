/**
 * All supervised streams of a daemon. Each stream has its own StreamSupervisor; a failure in one
 * never reaches another. Streams report on one shared event bus.
 */
import { UnknownStreamError } from '../domain/errors.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { StreamEventMap } from './stream-events.js';
import { StreamSupervisor, type StreamSupervisorDeps } from './stream-supervisor.js';
import { TypedEvents } from './typed-events.js';

export class Supervisor {
  readonly events: TypedEvents<StreamEventMap>;
  private readonly streams = new Map<string, StreamSupervisor>();

  constructor(
    specs: readonly StreamSpec[],
    private readonly deps: Omit<StreamSupervisorDeps, 'events'>,
  ) {
    this.events = new TypedEvents((event, error) =>
      deps.logger.error({ event, err: error }, 'a stream event listener failed'),
    );
    for (const spec of specs) {
      this.streams.set(spec.id, new StreamSupervisor(spec, { ...deps, events: this.events }));
    }
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

  get(id: string): StreamSupervisor {
    const stream = this.streams.get(id);
    if (!stream) throw new UnknownStreamError(id);
    return stream;
  }

  /** Stops every stream (SIGINT, then SIGTERM, then SIGKILL to each group) and waits for all to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((stream) => stream.stop()));
  }
}
