/**
 * `streamwarden controller --config FILE [--port N]`: runs the reference controller
 * (src/controller/) in the foreground until SIGINT / SIGTERM. The config file's streams are its
 * initial desired set; edges point `controller.url` at http://HOST:PORT/events.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../domain/duration.js';
import { runController, type ControllerCommandIo, type ControllerCommandOptions } from '../app/run-controller.js';

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
