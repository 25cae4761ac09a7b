/**
 * The finished runs of one stream, oldest first, bounded in number; only the newest few keep
 * their first and last stderr lines, so memory stays bounded per stream.
 */
import type { RunRecord } from '../ports/supervised-stream.js';

const DEFAULT_RUN_HISTORY = 20;
/** How many of the newest finished runs keep their first and last stderr lines. */
const RUNS_WITH_LINES = 3;

export class RunHistory {
  private readonly finished: RunRecord[] = [];

  constructor(private readonly limit: number = DEFAULT_RUN_HISTORY) {}

  add(record: RunRecord): void {
    this.finished.push(record);
    if (this.finished.length > this.limit) this.finished.shift();
    // Older runs keep their outcome but not their log lines.
    const older = this.finished.at(-1 - RUNS_WITH_LINES);
    if (older) {
      older.firstLines = [];
      older.lastLines = [];
    }
  }

  /** `current` (the run in progress, if any) first, then finished runs, newest first. */
  newestFirst(current: RunRecord | undefined): readonly RunRecord[] {
    return [...(current ? [current] : []), ...[...this.finished].reverse()];
  }

  /** The last stderr lines of the newest finished run. */
  lastLines(): readonly string[] {
    return this.finished.at(-1)?.lastLines ?? [];
  }
}
