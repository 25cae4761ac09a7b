/** One row per ffmpeg process lifetime, with how it ended. */
import type { ExitReason } from '../../domain/lifecycle.js';
import { StreamwardenError } from '../../domain/errors.js';

/** Why a run ended; `lost` when the daemon lost it (gone while the daemon was down, or a reboot). */
export type RunEndReason = ExitReason | 'lost';

export interface RunStartInput {
  readonly stream: string;
  readonly startedAt: number;
  readonly pid?: number;
  readonly specHash?: string;
}

export interface RunEndInput {
  readonly endedAt: number;
  readonly reason: RunEndReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly lastError?: string;
  readonly firstLines: readonly string[];
  readonly lastLines: readonly string[];
}

export interface StoredRun {
  readonly runId: number;
  readonly stream: string;
  readonly startedAt: number;
  readonly pid?: number;
  readonly specHash?: string;
  /** Absent while the run has not ended (or was not recorded as ended). */
  readonly end?: RunEndInput;
}

export interface RunsRepository {
  /** Returns the new run's id. */
  recordRunStart(run: RunStartInput): Promise<number>;
  /** Throws UnknownRunError when no run has this id. */
  recordRunEnd(runId: number, end: RunEndInput): Promise<void>;
  /** Newest first. */
  listRuns(stream: string, limit: number): Promise<StoredRun[]>;
}

export class UnknownRunError extends StreamwardenError {
  constructor(readonly runId: number) {
    super('RUN_NOT_FOUND', `no run with id ${runId}`);
  }
}
