/**
 * Integration tests need real binaries (ffmpeg, nginx, promtool, chromium). Locally a missing
 * one skips the test with a printed reason; in CI (`$CI` set) it is an error, because
 * `.ci/run` installs them and CI must never skip silently.
 */
import path from 'node:path';
import { isExecutableFile as isExecutable } from '../../src/adapters/ffmpeg/locate.js';


/** Looks for `name` at the candidate paths, then on $PATH. */
export function findBinary(name: string, candidates: readonly string[] = []): string | undefined {
  for (const candidate of candidates) {
    if (isExecutable(candidate)) return candidate;
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns the binary's path. When it is missing: throws if `$CI` is set, else prints why and
 * returns undefined, for `describe.skipIf(binary === undefined)`.
 */
export function requireBinary(name: string, candidates: readonly string[] = []): string | undefined {
  const found = findBinary(name, candidates);
  if (found !== undefined) return found;
  const where = [...candidates, `${name} on PATH`].join(', ');
  const ci = process.env['CI'];
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') {
    throw new Error(`required binary "${name}" not found (tried ${where}); CI must not skip — run .ci/run`);
  }
  console.warn(`[skip] "${name}" not found (tried ${where}); tests that need it are skipped (install it or run .ci/run)`);
  return undefined;
}
