/**
 * `streamwarden controller --config FILE [--port N]`: runs the reference controller
 * (src/controller/) in the foreground until SIGINT / SIGTERM. The config file's streams are its
 * initial desired set; edges point `controller.url` at http://HOST:PORT/events.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../domain/duration.js';
import { ConfigError } from '../domain/errors.js';
import { loadControllerStreams } from '../controller/controller-streams.js';
import { startReferenceController } from '../controller/reference-controller.js';

export interface ControllerCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly setExitCode: (code: number) => void;
}

export const DEFAULT_CONTROLLER_PORT = 8788;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  return port;
}

function parseInterval(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError(`expected a duration like "15s", got "${value}"`);
  return ms;
}

interface ControllerCommandOptions {
  readonly config: string;
  readonly port: number;
  readonly host: string;
  readonly heartbeat: number;
  readonly token?: string;
}

/** Registers `controller` on the program. */
export function registerControllerCommand(program: Command, io: ControllerCommandIo): void {
  program
    .command('controller')
    .description('run the reference controller: serves the config file\'s streams as desired state over SSE, with a page to start and stop them')
    .requiredOption('-c, --config <file>', 'configuration file (YAML) whose streams are the initial desired set')
    .addOption(new Option('--port <port>', 'HTTP port').default(DEFAULT_CONTROLLER_PORT).argParser(parsePort))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--heartbeat <duration>', 'time between heartbeat events').default(15_000, '15s').argParser(parseInterval))
    .option('--token <token>', 'require this bearer token (or $STREAMWARDEN_CONTROLLER_TOKEN)')
    .action(async (opts: ControllerCommandOptions) => {
      io.setExitCode(await runController(opts, io));
    });
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
      host: opts.host,
      port: opts.port,
      streams,
      heartbeatMs: opts.heartbeat,
      ...(token ? { token } : {}),
    });
  } catch (error) {
    io.err(`streamwarden controller: could not start: ${error instanceof Error ? error.message : String(error)}`);
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
