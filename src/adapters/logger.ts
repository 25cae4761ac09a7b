/**
 * The daemon's logger: JSON lines on stdout, pretty when stdout is a terminal. Every message and
 * string field passes through the redactor, so a secret that reaches a log call is still masked.
 */
import { destination as pinoDestination, pino, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../ports/logger.js';

export interface LoggerOptions {
  readonly level?: string;
  readonly pretty?: boolean;
  readonly redact: (text: string) => string;
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  const destination =
    options.destination ?? (usePretty ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l' }) : pinoDestination(1));
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        streamWrite: (line) => options.redact(line),
      },
    },
    destination,
  );
}
