/**
 * The built CLI, for integration tests that run the real daemon as a child process. Importing
 * this module fails at once, with the fix, when `npm run build` has not run.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'streamwarden.js');

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  throw new Error('dist/cli/main.js is missing: these tests run the built CLI; run `npm run build` first');
}

/** Stops a child still running: SIGTERM, then SIGKILL after `graceMs`; resolves once it has closed. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await closed;
  clearTimeout(timer);
}
