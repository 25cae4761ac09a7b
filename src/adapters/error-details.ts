/** What a thrown value says, for adapters that report Node system errors: its errno code (and message, from the domain). */

/** `ENOENT`, `EAGAIN`, …; undefined when the value carries no string `code`. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export { errorMessage } from '../domain/error-message.js';
