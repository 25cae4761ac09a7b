/** What one StreamSupervisor is built from (app/ wires the adapters behind these ports). */
import type { FfmpegCapabilities } from '../domain/ffmpeg-capabilities.js';
import type { StreamEventMap } from '../events/stream-events.js';
import type { TypedEvents } from '../events/typed-events.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessRunner } from '../ports/process-runner.js';
import type { RunRegistry } from '../ports/run-registry.js';
import type { SourcePreparer } from '../ports/source-preparer.js';

export interface StreamSupervisorDeps {
  readonly clock: Clock;
  readonly runner: ProcessRunner;
  readonly ffmpeg: { readonly path: string; readonly capabilities: FfmpegCapabilities };
  readonly logger: Logger;
  readonly redact: (text: string) => string;
  /** Uniform in [0, 1); injected so backoff jitter is reproducible in tests. */
  readonly random: () => number;
  /** The bus this stream reports on; shared by every stream of a daemon. */
  readonly events?: TypedEvents<StreamEventMap>;
  /** How many finished runs to keep in memory. */
  readonly runHistory?: number;
  /** Told of every spawned run (with its identity) and of its end, so a later daemon can adopt it. */
  readonly registry?: RunRegistry;
  /** Consulted before every spawn (the engine binding); may refuse it. */
  readonly prepareSource?: SourcePreparer;
}
