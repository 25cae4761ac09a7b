/**
 * The daemon's parts, started in the order given and stopped in reverse through one teardown:
 * the same one whether a start step fails (the parts started so far stop) or the daemon is
 * asked to stop. A failing stop is logged and the teardown goes on.
 */
import type { Logger } from '../ports/logger.js';

export interface Part {
  readonly name: string;
  readonly start?: () => void | Promise<void>;
  readonly stop?: () => void | Promise<void>;
}

export class Parts {
  private readonly started: Part[] = [];

  constructor(private readonly logger: Logger) {}

  /** Starts each part in order; on a failure, stops the started ones in reverse and rethrows. */
  async start(parts: readonly Part[]): Promise<void> {
    for (const part of parts) {
      // Pushed first: a part whose start fails may have half-started, and is stopped too.
      this.started.push(part);
      try {
        await part.start?.();
      } catch (error) {
        await this.stop();
        throw error;
      }
    }
  }

  /** Stops what was started, last first. */
  async stop(): Promise<void> {
    for (let part = this.started.pop(); part; part = this.started.pop()) {
      try {
        await part.stop?.();
      } catch (error) {
        this.logger.warn({ err: error, part: part.name }, 'a part failed to stop');
      }
    }
  }
}
