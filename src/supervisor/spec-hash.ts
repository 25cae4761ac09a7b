import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';
import type { StreamSpec } from '../domain/stream-spec.js';

/**
 * Fingerprint of what a stream's process runs: sha256 of the canonical JSON of the spec without
 * `desired` (wanting a stream stopped or running does not change what its process does). Two
 * specs with equal hashes run the same ffmpeg; a different hash after a daemon restart means the
 * spec changed while the daemon was away, so the adopted process is restarted.
 */
export function specHash(spec: StreamSpec): string {
  const { desired: _desired, ...rest } = spec;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
