/** A logger that keeps every line, for tests that assert on what was logged. */
import type { Logger } from '../../src/ports/logger.js';

export interface Logged {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
  /** Date.now() when it was logged. */
  readonly at: number;
}

export function recordingLogger(logged: Logged[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => logged.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '', at: Date.now() });
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}
