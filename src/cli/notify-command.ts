/**
 * `streamwarden notify test --notifier ID --config FILE`: sends one test message through a
 * configured notifier exactly as the daemon would build it (templates, Telegram API URL),
 * directly (not through the outbox, so no rate limit applies), and says whether it arrived.
 * Exit 0 when the destination accepted it, 1 otherwise. The URL / token is never printed.
 */
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ConfigError } from '../domain/errors.js';
import { sendTestNotification, type NotifyCommandIo, type NotifyTestOptions } from '../app/notify-test.js';

/** Registers `notify test` on the program. */
export function registerNotifyCommand(program: Command, io: NotifyCommandIo): void {
  const notify = program.command('notify').description('notification tools');
  notify
    .command('test')
    .description('send a test message through one configured notifier')
    .requiredOption('-n, --notifier <id>', 'the notifier id (from `notifiers:` in the config)')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .option('--timeout <ms>', 'request timeout in milliseconds', '10000')
    .action(async (opts: NotifyTestOptions) => {
      let config: Config;
      try {
        config = await loadConfigFile(opts.config, process.env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.err(`${opts.config}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`);
        for (const issue of error.issues) io.err(`  ${issue}`);
        io.setExitCode(1);
        return;
      }
      io.setExitCode(await sendTestNotification(config, opts, io));
    });
}
