/**
 * Runs the reference controller in the foreground until SIGINT / SIGTERM, on the system clock:
 * what `streamwarden controller` does once its options are parsed.
 */
import { systemClock } from '../adapters/system-clock.js';
import { loadControllerStreams } from '../controller/controller-streams.js';
import { startReferenceController } from '../controller/reference-controller.js';
import { ConfigError } from '../domain/errors.js';
import { errorMessage } from '../domain/error-message.js';

export interface ControllerCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly setExitCode: (code: number) => void;
}

export interface ControllerCommandOptions {
  readonly config: string;
  readonly port: number;
  readonly host: string;
  readonly heartbeat: number;
  readonly token?: string;
}

export async function runController(opts: ControllerCommandOptions, io: ControllerCommandIo): Promise<number> {
  let streams;
  try {
    streams = await loadControllerStreams(opts.config, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${opts.config}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`);
    for (const issue of error.issues) io.err(`  ${issue}`);
    return 1;
  }
  const token = opts.token ?? process.env.STREAMWARDEN_CONTROLLER_TOKEN;
  let controller;
  try {
    controller = await startReferenceController({
      clock: systemClock,
      host: opts.host,
      port: opts.port,
      streams,
      heartbeatMs: opts.heartbeat,
      ...(token ? { token } : {}),
    });
  } catch (error) {
    io.err(`streamwarden controller: could not start: ${errorMessage(error)}`);
    return 1;
  }
  io.out(`streamwarden controller: ${streams.length} stream${streams.length === 1 ? '' : 's'}; page ${controller.url}/, events ${controller.eventsUrl}`);
  const running = controller;
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.err(`streamwarden controller: ${signal}, stopping`);
      void running.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
