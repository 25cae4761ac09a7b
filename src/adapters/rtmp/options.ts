/** Options shared by the RTMP server adapters. */
import type { Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';

export interface RtmpAdapterOptions {
  /** Timeout of each HTTP request. Default 5 s. */
  readonly timeoutMs?: number;
  /** Applied to every error message (stream keys are never put in them to begin with). */
  readonly redact?: Redactor;
  /** For `publishingSinceMs` and derived bitrates. Default: the system clock. */
  readonly clock?: Clock;
}

export const DEFAULT_RTMP_TIMEOUT_MS = 5_000;

/** The outcome of parsing one API document: publishers, or why the document is unusable. */
export type ParseOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
