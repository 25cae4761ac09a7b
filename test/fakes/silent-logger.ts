/** A logger that drops everything, for unit tests. */
import type { Logger } from '../../src/ports/logger.js';

export const silentLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => silentLogger,
};
