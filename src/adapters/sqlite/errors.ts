/**
 * SQLite and file-system failures that mean "the store cannot serve now" become
 * StoreUnavailableError with the original code; anything else (a constraint, a bug) passes
 * through unchanged.
 */
import Database from 'better-sqlite3';
import { StreamwardenError } from '../../domain/errors.js';
import { StoreUnavailableError, type StoreUnavailableReason } from '../../ports/store.js';
import { errnoCode } from '../error-details.js';

/** By prefix: extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, …) share their base's meaning. */
const SQLITE_REASONS: readonly (readonly [string, StoreUnavailableReason])[] = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_BUSY', 'locked'],
  ['SQLITE_LOCKED', 'locked'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'cannot-open'],
  ['SQLITE_PERM', 'read-only'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

const FS_REASONS: Readonly<Record<string, StoreUnavailableReason>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read-only',
  EACCES: 'read-only',
  EPERM: 'read-only',
  EIO: 'io',
  ENOENT: 'cannot-open',
  // mkdir -p through a path whose component is a file.
  EEXIST: 'cannot-open',
  ENOTDIR: 'cannot-open',
  EISDIR: 'cannot-open',
};

export function toStoreError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  if (error instanceof StreamwardenError) return error;
  if (error instanceof Database.SqliteError) {
    const match = SQLITE_REASONS.find(([prefix]) => error.code.startsWith(prefix));
    return match ? new StoreUnavailableError(match[1], error.code, error.message, { cause: error }) : error;
  }
  const code = errnoCode(error);
  const reason = code === undefined ? undefined : FS_REASONS[code];
  return code !== undefined && reason ? new StoreUnavailableError(reason, code, error.message, { cause: error }) : error;
}

export function closedError(): StoreUnavailableError {
  return new StoreUnavailableError('closed', 'CLOSED', 'the store was closed');
}
