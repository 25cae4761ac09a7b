/**
 * The `streamwarden` command line (DESIGN.md §4.1). Exit codes: 0 ok, 1 failure, 2 usage error.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfigFile, loadConfigText } from '../config/load.js';
import type { Config } from '../config/types.js';
import { DEMO_STREAM_IDS, demoConfigYaml } from '../config/demo-config.js';
import { ConfigError } from '../domain/errors.js';
import { controlStream, type StreamAction } from './control.js';
import { registerControllerCommand } from './controller-command.js';
import { registerNotifyCommand } from './notify-command.js';
import { runDaemon } from '../app/run-daemon.js';
import { showStatus } from './status.js';
import { errorMessage } from '../domain/error-message.js';

const DEFAULT_URL = 'http://127.0.0.1:8787';

export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let exitCode = 0;

  const program = new Command()
    .name('streamwarden')
    .description('Keeps live FFmpeg streams alive 24/7.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('run the daemon in the foreground, supervising every stream of the configuration')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .action(async (opts: { config: string }) => {
      const config = await loadOrReport(opts.config, err);
      exitCode = config ? await runDaemon(config, { configPath: opts.config }) : 1;
    });

  program
    .command('validate')
    .description('check a configuration file and list every problem with its path')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .action(async (opts: { config: string }) => {
      const config = await loadOrReport(opts.config, err);
      if (!config) {
        exitCode = 1;
        return;
      }
      out(`${opts.config}: valid (${config.streams.length} stream${config.streams.length === 1 ? '' : 's'})`);
    });

  program
    .command('demo')
    .description('run the daemon on the built-in demo: generated test sources written as HLS, one of them flaky')
    .option('--data <dir>', 'folder for the demo output', './data/demo')
    .addOption(new Option('--port <port>', 'HTTP port').default('8787').argParser(parsePort))
    .action(async (opts: { data: string; port: string | number }) => {
      const dataDir = resolve(opts.data);
      for (const id of DEMO_STREAM_IDS) mkdirSync(resolve(dataDir, 'hls', id), { recursive: true });
      const config = loadConfigText(demoConfigYaml(dataDir, Number(opts.port)), process.env);
      err(`streamwarden demo: dashboard at http://127.0.0.1:${opts.port}/ — HLS output under ${dataDir}/hls; or watch it with \`npx streamwarden status --url http://127.0.0.1:${opts.port}\``);
      exitCode = await runDaemon(config);
    });

  program
    .command('status')
    .description('show the streams of a running daemon')
    .option('--url <url>', 'daemon base URL', DEFAULT_URL)
    .option('--token <token>', 'API token (or $STREAMWARDEN_TOKEN)')
    .option('--json', 'print JSON', false)
    .action(async (opts: { url: string; token?: string; json: boolean }) => {
      const token = opts.token ?? process.env.STREAMWARDEN_TOKEN;
      exitCode = await showStatus({ url: opts.url, json: opts.json, ...(token ? { token } : {}) }, out, err);
    });

  const actions: readonly (readonly [StreamAction, string])[] = [
    ['start', 'want a stream running and start it'],
    ['stop', 'want a stream stopped and stop it (SIGINT, then SIGTERM, then SIGKILL)'],
    ['restart', 'restart a running stream now'],
  ];
  for (const [action, description] of actions) {
    program
      .command(`${action} <id>`)
      .description(`${description} (through the daemon's HTTP API)`)
      .option('--url <url>', 'daemon base URL', DEFAULT_URL)
      .option('--token <token>', 'API token (or $STREAMWARDEN_TOKEN)')
      .option('--json', 'print the stream as JSON', false)
      .action(async (id: string, opts: { url: string; token?: string; json: boolean }) => {
        const token = opts.token ?? process.env.STREAMWARDEN_TOKEN;
        exitCode = await controlStream(action, id, { url: opts.url, json: opts.json, ...(token ? { token } : {}) }, out, err);
      });
  }

  const io = {
    out,
    err,
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
  registerControllerCommand(program, io);
  registerNotifyCommand(program, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    err(`streamwarden: ${errorMessage(error)}`);
    return 1;
  }
  return exitCode;
}

async function loadOrReport(path: string, err: (line: string) => void): Promise<Config | undefined> {
  try {
    return await loadConfigFile(path, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`${path}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`);
      for (const issue of error.issues) err(`  ${issue}`);
      return undefined;
    }
    throw error;
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  }
  return port;
}
