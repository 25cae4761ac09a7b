/**
 * `streamwarden notify test --notifier ID --config FILE`: sends one test message through a
 * configured notifier exactly as the daemon would build it (templates, Telegram API URL),
 * directly (not through the outbox, so no rate limit applies), and says whether it arrived.
 * Exit 0 when the destination accepted it, 1 otherwise. The URL / token is never printed.
 */
import type { Command } from 'commander';
import { notifierFromConfig } from '../adapters/notifiers/registry.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { NotificationMessage } from '../domain/alerts/message.js';
import { ConfigError } from '../domain/errors.js';
import { createRedactor } from '../domain/redact.js';

export interface NotifyCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly setExitCode: (code: number) => void;
  /** Defaults to Date.now (the CLI is a shell; tests pass their own). */
  readonly now?: () => number;
}

interface NotifyTestOptions {
  readonly notifier: string;
  readonly config: string;
  readonly timeout: string;
}

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

export function testMessage(now: number): NotificationMessage {
  return {
    createdAt: now,
    items: [
      {
        key: `test:${now}`,
        kind: 'test',
        status: 'firing',
        severity: 'info',
        title: 'streamwarden test notification',
        what: 'This is a test message from `streamwarden notify test`. If you can read it, notifications work.',
        since: now,
      },
    ],
  };
}

export async function sendTestNotification(config: Config, opts: Omit<NotifyTestOptions, 'config'>, io: NotifyCommandIo): Promise<number> {
  const entry = config.notifiers.find((n) => n.id === opts.notifier);
  if (entry === undefined) {
    const known = config.notifiers.map((n) => n.id).join(', ');
    io.err(`streamwarden notify: no notifier "${opts.notifier}" in the config${known === '' ? ' (it has none)' : ` (known: ${known})`}`);
    return 1;
  }
  const redact = createRedactor(config.secrets);
  const notifier = notifierFromConfig(entry, redact);
  const timeoutMs = Number(opts.timeout);
  const result = await notifier.send(testMessage((io.now ?? Date.now)()), AbortSignal.timeout(Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 10_000));
  if (result.ok) {
    io.out(`streamwarden notify: test message sent through ${entry.id} (${entry.type})`);
    return 0;
  }
  const wait = result.retryAfterMs === undefined ? '' : `; the destination asks to wait ${Math.ceil(result.retryAfterMs / 1_000)} s`;
  io.err(`streamwarden notify: ${entry.id} (${entry.type}) did not accept the test message: ${redact(result.error)}${wait}`);
  return 1;
}
