/**
 * Runs the daemon in the foreground until SIGINT or SIGTERM, then stops every stream cleanly;
 * SIGHUP re-reads the configuration file (`--config`).
 * A second signal kills every ffmpeg process group still live.
 * An uncaught error or an unexpected exit depends on the runner: with the store (FIFO runner)
 * ffmpeg is left running on purpose — the next daemon re-attaches to it; without one (plain
 * runner) every group we started is killed, so no orphan outlives the daemon.
 */
import { killAllGroupsSync } from '../adapters/ffmpeg/node-process-runner.js';
import type { Config } from '../config/types.js';
import { startDaemon, type Daemon } from './daemon.js';
import { errorMessage } from '../domain/error-message.js';

export async function runDaemon(config: Config, options: { port?: number; configPath?: string } = {}): Promise<number> {
  // Only the plain runner's groups are in this registry: FIFO-runner processes are never killed here.
  process.on('exit', () => {
    killAllGroupsSync();
  });

  let daemon: Daemon;
  try {
    daemon = await startDaemon(config, options);
  } catch (error) {
    process.stderr.write(`streamwarden: could not start: ${errorMessage(error)}\n`);
    return 1;
  }

  const onFatal = (error: unknown) => {
    if (daemon.processesSurviveExit) {
      daemon.logger.fatal({ err: error }, 'unexpected error; exiting and leaving ffmpeg running for the next daemon to re-attach to');
    } else {
      daemon.logger.fatal({ err: error }, 'unexpected error; killing every stream and exiting');
      killAllGroupsSync();
    }
    process.exit(1);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        daemon.logger.warn({ signal }, 'second signal: killing every stream now');
        daemon.killAllSync();
        process.exit(1);
      }
      signalled = true;
      daemon.logger.info({ signal }, 'shutting down');
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          daemon.logger.error({ err: error }, 'clean shutdown failed');
          daemon.killAllSync();
          resolve(1);
        },
      );
    };
    process.on('SIGHUP', () => {
      if (signalled) return;
      daemon.logger.info({ signal: 'SIGHUP' }, 'reloading the configuration');
      void daemon.reload();
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
