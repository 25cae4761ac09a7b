/**
 * The runtime folder of the FIFO runner: one private sub-folder per run holding two named pipes,
 * `progress` (ffmpeg's fd 3) and `stderr` (its fd 2).
 *
 *   <root>/                       0700, owned by the daemon's user
 *     run-<label>-<random>/       0700 (mkdtemp), one per run
 *       progress                  FIFO 0600
 *       stderr                    FIFO 0600
 *
 * Put the root on a tmpfs that survives a daemon restart but not a reboot (e.g.
 * `$XDG_RUNTIME_DIR/streamwarden` or `/run/streamwarden`; with systemd's RuntimeDirectory= set
 * RuntimeDirectoryPreserve=yes, or the folder goes away with every restart).
 *
 * Removal never recurses blindly: only the two known FIFOs are unlinked and then the folder is
 * rmdir'ed, so a corrupt registry path can at worst fail to remove something, never delete
 * something that is not ours.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { StreamwardenError } from '../../domain/errors.js';
import type { RuntimePaths } from '../../ports/store.js';

export const PROGRESS_FIFO = 'progress';
export const STDERR_FIFO = 'stderr';
const RUN_PREFIX = 'run-';
const FIFO_NAMES: ReadonlySet<string> = new Set([PROGRESS_FIFO, STDERR_FIFO]);

/** The runtime folder cannot be used (not creatable, not ours, open to others, mkfifo failed). */
export class RuntimeDirError extends StreamwardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNTIME_DIR', message, options);
  }
}

/** Creates named pipes (mode 0600) at `paths`; throws on failure. */
export type MakeFifos = (paths: readonly string[]) => void;

/**
 * mkfifo(1) through an argv (node has no mkfifo binding). One call for both pipes; it blocks
 * the event loop for a few milliseconds per run, which is the price of a synchronous `spawn`.
 */
export const mkfifoCommand: MakeFifos = (paths) => {
  const result = spawnSync('mkfifo', ['-m', '600', '--', ...paths], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
    encoding: 'utf8',
  });
  if (result.error !== undefined) throw new RuntimeDirError(`mkfifo could not run: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) {
    throw new RuntimeDirError(`mkfifo failed (${result.status ?? result.signal}): ${result.stderr.trim()}`);
  }
};

/** A label safe as part of a file name: [A-Za-z0-9_.-], at most 40 characters. */
export function sanitizeLabel(label: string | undefined): string {
  const cleaned = (label ?? '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+/, '').slice(0, 40);
  return cleaned === '' ? 'stream' : cleaned;
}

/**
 * Creates `root` (0700) if needed and checks it is a real directory owned by us that nobody
 * else can write to (others could otherwise swap our pipes).
 */
export function ensureRoot(root: string): void {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new RuntimeDirError(`cannot create runtime folder ${root}`, { cause: error });
  }
  const stat = lstatSync(root);
  if (!stat.isDirectory()) throw new RuntimeDirError(`runtime folder ${root} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new RuntimeDirError(`runtime folder ${root} belongs to uid ${stat.uid}, not ${uid}`);
  if ((stat.mode & 0o022) !== 0) {
    throw new RuntimeDirError(`runtime folder ${root} is writable by others (mode ${(stat.mode & 0o777).toString(8)})`);
  }
}

/** A new run folder with both FIFOs. Throws RuntimeDirError; leaves nothing behind on failure. */
export function createRunDir(root: string, label: string | undefined, makeFifos: MakeFifos): RuntimePaths {
  ensureRoot(root);
  let dir: string;
  try {
    dir = mkdtempSync(path.join(root, `${RUN_PREFIX}${sanitizeLabel(label)}-`)); // mode 0700
  } catch (error) {
    throw new RuntimeDirError(`cannot create a run folder in ${root}`, { cause: error });
  }
  const paths: RuntimePaths = {
    dir,
    progressPipe: path.join(dir, PROGRESS_FIFO),
    stderrPipe: path.join(dir, STDERR_FIFO),
  };
  try {
    makeFifos([paths.progressPipe, paths.stderrPipe]);
  } catch (error) {
    removeRunDir(paths);
    throw error instanceof RuntimeDirError ? error : new RuntimeDirError('cannot create named pipes', { cause: error });
  }
  return paths;
}

function isFifo(file: string): boolean {
  try {
    return lstatSync(file).isFIFO();
  } catch {
    return false;
  }
}

/**
 * Unlinks a run's FIFOs and removes its folder. Never throws; true when the folder is gone.
 * Only FIFOs are unlinked and the folder is rmdir'ed (fails harmlessly when not empty).
 */
export function removeRunDir(paths: RuntimePaths): boolean {
  for (const file of [paths.progressPipe, paths.stderrPipe]) {
    const inRunDir = path.dirname(path.resolve(file)) === path.resolve(paths.dir) && FIFO_NAMES.has(path.basename(file));
    if (!inRunDir || !isFifo(file)) continue;
    try {
      unlinkSync(file);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  try {
    rmdirSync(paths.dir);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
  }
}

export interface SweepResult {
  /** Run folders removed. */
  readonly removed: string[];
  /** Run folders kept because a live run uses them. */
  readonly kept: string[];
  /** Entries left alone because they hold something else than our two FIFOs. */
  readonly skipped: string[];
}

/**
 * Removes every run folder under `root` that no live run uses: after a daemon restart, pass the
 * entries that were adopted (and any started since); after a reboot pass none. Only folders
 * named like ours and holding nothing but our FIFOs are removed; other entries are reported in
 * `skipped`. Synchronous, so it cannot race a spawn of the same runner. Never throws.
 */
export function sweepRuntimeDir(
  root: string,
  liveEntries: Iterable<{ readonly paths: Pick<RuntimePaths, 'dir'> }>,
  isLive: (dir: string) => boolean = () => false,
): SweepResult {
  const live = new Set<string>();
  for (const entry of liveEntries) live.add(path.resolve(entry.paths.dir));
  const result: SweepResult = { removed: [], kept: [], skipped: [] };
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return result;
  }
  for (const name of names) {
    const dir = path.resolve(root, name);
    if (!name.startsWith(RUN_PREFIX)) {
      result.skipped.push(dir);
      continue;
    }
    if (live.has(dir) || isLive(dir)) {
      result.kept.push(dir);
      continue;
    }
    let contents: string[];
    try {
      if (!lstatSync(dir).isDirectory()) {
        result.skipped.push(dir);
        continue;
      }
      contents = readdirSync(dir);
    } catch {
      continue; // removed meanwhile
    }
    if (!contents.every((file) => FIFO_NAMES.has(file) && isFifo(path.join(dir, file)))) {
      result.skipped.push(dir);
      continue;
    }
    const paths = { dir, progressPipe: path.join(dir, PROGRESS_FIFO), stderrPipe: path.join(dir, STDERR_FIFO) };
    if (removeRunDir(paths)) result.removed.push(dir);
    else result.skipped.push(dir);
  }
  return result;
}
