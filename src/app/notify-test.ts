/**
 * What `streamwarden notify test` does: builds the configured notifier exactly as the daemon
 * would (templates, Telegram API URL) and sends one test message through it directly (not
 * through the outbox, so no rate limit applies). The URL / token is never printed.
 */
import { notifierFromConfig } from '../adapters/notifiers/registry.js';
import type { Config } from '../config/types.js';
import type { NotificationMessage } from '../domain/alerts/message.js';
import { createRedactor } from '../domain/redact.js';

export interface NotifyCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly setExitCode: (code: number) => void;
  /** Defaults to Date.now (the CLI is a shell; tests pass their own). */
  readonly now?: () => number;
}

export interface NotifyTestOptions {
  readonly notifier: string;
  readonly config: string;
  readonly timeout: string;
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
