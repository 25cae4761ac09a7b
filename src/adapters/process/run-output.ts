/**
 * The daemon's read ends of one run's FIFOs, delivered to the run's handlers. Shared by spawned
 * and adopted runs. A handler that throws never breaks reading (it is reported as a warning).
 */
import type { ProcessHandlers } from '../../ports/process-runner.js';
import type { RuntimePaths } from '../../ports/store.js';
import { openFifoReader, type FifoReader } from './fifo-io.js';
import type { FifoPoller } from './fifo-poller.js';
import { errorMessage } from '../error-details.js';

/** A listener that throws must not take down the daemon or lose the exit notification. */
export function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.emitWarning(`process runner handler threw: ${errorMessage(error)}`, 'StreamwardenWarning');
  }
}

export type PipeName = 'progress' | 'stderr';

export class RunOutput {
  private readonly readers: FifoReader[] = [];
  private open = 0;
  /** Pipes that could not be opened (missing, not a FIFO). */
  readonly missing: PipeName[] = [];

  /**
   * @param onReaderClosed called after each reader closed (EOF, error or destroy), with the
   *   number still open.
   * @param progressPoller reads the progress pipe on its shared beat (stderr, which may flood,
   *   is always read as data arrives); without one every pipe is read as data arrives.
   */
  constructor(
    paths: RuntimePaths,
    pipes: readonly PipeName[],
    handlers: Pick<ProcessHandlers, 'onProgress' | 'onStderr'>,
    private readonly onReaderClosed: (stillOpen: number) => void,
    progressPoller?: FifoPoller,
  ) {
    for (const pipe of pipes) {
      const file = pipe === 'progress' ? paths.progressPipe : paths.stderrPipe;
      const deliver = pipe === 'progress' ? handlers.onProgress.bind(handlers) : handlers.onStderr.bind(handlers);
      const onText = (text: string) => safeCall(() => deliver(text));
      const onClose = () => {
        this.open -= 1;
        this.onReaderClosed(this.open);
      };
      const reader =
        pipe === 'progress' && progressPoller !== undefined ? progressPoller.open(file, onText, onClose) : openFifoReader(file, onText, onClose);
      if (reader === undefined) {
        this.missing.push(pipe);
        continue;
      }
      this.open += 1;
      this.readers.push(reader);
    }
  }

  /** Readers not yet closed. */
  get openCount(): number {
    return this.open;
  }

  /** Delivers what every pipe holds now (before judging a run over: nothing waits for a beat). */
  drainAll(): void {
    for (const reader of this.readers) reader.drain();
  }

  /** Closes every reader still open; each close is reported through `onReaderClosed`. */
  destroyAll(): void {
    for (const reader of this.readers) reader.destroy();
  }
}
