/** The version streamwarden reports in `streamwarden_build_info`. */
import { readFileSync } from 'node:fs';

/**
 * The `version` of streamwarden's package.json. The file is two levels up both from
 * src/metrics/ (tsx, tests) and from dist/metrics/ (the build). "unknown" if it cannot be read.
 */
export function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through
  }
  return 'unknown';
}
