/**
 * A hook consulted before each spawn that may rewrite a stream's source (an engine of the pool
 * put into its `{engine}` placeholders) or refuse the spawn: a refused spawn ends the run as
 * failed-to-start with `error` as its last error, and the restart policy retries it with the
 * normal backoff. ffmpeg is never started with an unresolved source.
 */
import type { StreamSource, StreamSpec } from '../domain/stream-spec.js';

export type PreparedSource = { readonly ok: true; readonly source: StreamSource } | { readonly ok: false; readonly error: string };

export type SourcePreparer = (spec: StreamSpec) => PreparedSource;
