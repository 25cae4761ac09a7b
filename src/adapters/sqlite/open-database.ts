/**
 * Opens (creating when missing) the SQLite file with private permissions and the settings the
 * daemon relies on: WAL (readers never block the writer), synchronous=NORMAL (a daemon crash or
 * kill -9 loses nothing committed; a power cut may lose the last transactions, never consistency),
 * a busy timeout, foreign keys on.
 *
 * The file is created by us, mode 0600, in a folder created 0700: specs carry stream keys. An
 * existing file is not re-created, so a read-only one still opens (and is reported read-only on
 * the first write) and the daemon can read its state; group or other bits are removed when we can.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface OpenDatabaseOptions {
  readonly path: string;
  /** How long a write waits for a lock held by another connection. Blocks the event loop. @default 1000 */
  readonly busyTimeoutMs?: number;
  /** Hard cap on the database size (SQLITE_FULL beyond it). @default none */
  readonly maxBytes?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 1_000;
/** The WAL file is truncated to this after a checkpoint, so it does not stay at its peak size. */
const JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

function ensurePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    try {
      chmodSync(path, mode & 0o700);
    } catch {
      // Not ours or a read-only file system: the file still works; permissions are the admin's call.
    }
  }
}

export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  // `:memory:` is SQLite's private in-process database (tests): no file to create or protect.
  const inMemory = options.path === ':memory:';
  if (!inMemory) ensurePrivateFile(options.path);
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
  const db = new Database(options.path, { fileMustExist: !inMemory, timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    if (options.maxBytes !== undefined) {
      const pageSize = Number(db.pragma('page_size', { simple: true }));
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
