/**
 * Re-attach at boot: the streams of the store's desired set are created stopped (so that their
 * surviving processes can be adopted before the reconciler starts anything), their stored runs
 * are adopted (validated by the runner: a process that fails, or an entry of another boot, is
 * never signalled), run folders nobody uses are removed, and runs of streams removed while the
 * daemon was down are stopped. The reconciler then starts what was not adopted.
 */
import type { FifoProcessRunner } from '../adapters/process/fifo-process-runner.js';
import { DEFAULT_STOP_POLICY, type StreamSpec } from '../domain/stream-spec.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { RuntimeRepository, StreamsRepository } from '../ports/store.js';
import { storeDesired } from '../reconcile/reconciler.js';
import { stopStrayRuns } from '../supervisor/stop-stray-runs.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/** The stored desired streams, to create stopped before adoption; none when they cannot be read. */
export async function bootSpecs(store: Pick<StreamsRepository, 'listStreams'>, logger: Logger): Promise<StreamSpec[]> {
  try {
    return [...(await storeDesired(store)()).values()].map(({ spec, desired }) => ({ ...spec, desired }));
  } catch (error) {
    logger.error({ err: error }, 'reading the desired streams failed; nothing is re-attached');
    return [];
  }
}

export interface BootAdoptionOptions {
  readonly store: RuntimeRepository;
  readonly supervisor: Supervisor;
  readonly runner: FifoProcessRunner;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function adoptAtBoot({ store, supervisor, runner, clock, logger }: BootAdoptionOptions): Promise<void> {
  try {
    const entries = await store.listRuntime();
    const report = supervisor.adopt(entries);
    // Folders of unknown streams are kept too: their process, if alive, still writes to them.
    const keep = new Set([...report.adopted, ...report.unknownStream]);
    const swept = runner.sweep(entries.filter((entry) => keep.has(entry.stream)));
    logger.info(
      {
        stored: entries.length,
        adopted: report.adopted,
        refused: report.refused.map(({ stream, reason, lost }) => ({ stream, reason, lost })),
        unknownStream: report.unknownStream,
        swept,
      },
      're-attached to surviving ffmpeg runs',
    );
    // A stream removed while the daemon was down must not go on publishing unsupervised.
    const unknown = new Set(report.unknownStream);
    void stopStrayRuns(
      entries.filter((entry) => unknown.has(entry.stream)),
      {
        runner,
        clock,
        logger,
        stop: DEFAULT_STOP_POLICY,
        forget: (run) => {
          store.clearRuntime(run.stream, run.pid).catch((error: unknown) => logger.warn({ err: error, stream: run.stream }, 'could not forget a stray run'));
        },
      },
    );
  } catch (error) {
    logger.error({ err: error }, 're-attaching to surviving ffmpeg runs failed; streams start fresh');
  }
}
