/**
 * Notifications end to end against local HTTP servers imitating Discord, Slack, Telegram and an
 * Alertmanager-style webhook: a real SQLite outbox, the real clock, small backoffs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/adapters/notifiers/registry.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { sendTestNotification } from '../../src/app/notify-test.js';
import type { Config, NotifierConfig } from '../../src/config/types.js';
import { createRedactor } from '../../src/domain/redact.js';
import { AlertManager } from '../../src/notify/alert-manager.js';
import { OutboxWorker } from '../../src/notify/outbox-worker.js';
import type { Logger } from '../../src/ports/logger.js';
import { waitFor } from '../helpers/wait-for.js';

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Provider {
  readonly url: string;
  /** Bodies of the requests answered 2xx, in arrival order. */
  readonly accepted: Record<string, unknown>[];
  readonly paths: string[];
  attempts: number;
  close(): Promise<void>;
}

async function startProvider(answer: (attempt: number) => Reply = () => ({ status: 200, body: { ok: true } })): Promise<Provider> {
  const provider: Provider = { url: '', accepted: [], paths: [], attempts: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const attempt = ++provider.attempts;
      const reply = answer(attempt);
      if (reply.status >= 200 && reply.status < 300) {
        provider.accepted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        provider.paths.push(req.url ?? '');
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(provider, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

const BOT_TOKEN = '123456789:AAHsecret-bot-token-xyz';
const logged: string[] = [];
const log: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => logged.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
  error: (obj, msg) => logged.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
  fatal: () => {},
  child: () => log,
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Providers {
  readonly discord: Provider;
  readonly slack: Provider;
  readonly telegram: Provider;
  readonly webhook: Provider;
}

function notifierConfigs(p: Providers): NotifierConfig[] {
  return [
    { id: 'discord', type: 'discord', url: `${p.discord.url}/api/webhooks/42/discord-webhook-secret`, minSeverity: 'info' },
    { id: 'slack', type: 'slack', url: `${p.slack.url}/services/T0/B0/slack-webhook-secret`, minSeverity: 'info' },
    { id: 'telegram', type: 'telegram', botToken: BOT_TOKEN, chatId: '-1001', minSeverity: 'info' },
    { id: 'webhook', type: 'webhook', url: `${p.webhook.url}/alerts`, minSeverity: 'info' },
  ];
}

async function openStack(path: string, p: Providers, groupWindowMs: number) {
  const configs = notifierConfigs(p);
  const secrets = ['discord-webhook-secret', 'slack-webhook-secret', BOT_TOKEN];
  const redact = createRedactor(secrets);
  const store: SqliteStore = await openSqliteStore({ path, clock: systemClock });
  const notifiers = configs.map((config) =>
    createNotifier({
      config,
      redact,
      ...(config.type === 'telegram' && { apiUrl: p.telegram.url }),
      // Discord keeps its real limit (5 per 2 s); the others are loosened so the test stays short.
      ...(config.type !== 'discord' && { rateLimit: { capacity: 20, perMs: 1_000 } }),
    }),
  );
  const outcomes: string[] = [];
  const worker = new OutboxWorker({
    store,
    notifiers,
    clock: systemClock,
    redact,
    log,
    onOutcome: (notifier, result) => outcomes.push(`${notifier}:${result}`),
    backoff: { initialMs: 100, multiplier: 2, maxMs: 400 },
    pollIntervalMs: 250,
    requestTimeoutMs: 2_000,
  });
  const manager = await AlertManager.open({
    store,
    clock: systemClock,
    redact,
    log,
    routes: configs.map((c) => ({ id: c.id, global: true, minSeverity: c.minSeverity })),
    streamNotify: () => [],
    groupWindowMs,
    onEnqueued: () => worker.kick(),
  });
  worker.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await manager.close();
    await worker.close();
    await store.close();
  };
  cleanups.push(close);
  return { store, worker, manager, outcomes, close };
}

async function setup(answers: Partial<Record<keyof Providers, (attempt: number) => Reply>> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-notify-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const providers: Providers = {
    discord: await startProvider(answers.discord),
    slack: await startProvider(answers.slack),
    telegram: await startProvider(answers.telegram),
    webhook: await startProvider(answers.webhook),
  };
  for (const p of [providers.discord, providers.slack, providers.telegram, providers.webhook]) cleanups.push(() => p.close());
  return { providers, path: join(dir, 'state.db') };
}

/** "[FIRING] s1 is unhealthy" → "s1 FIRING", per provider's own shape. */
function headline(kind: keyof Providers, body: Record<string, unknown>): string {
  const text = (() => {
    switch (kind) {
      case 'discord':
        return String(body.content);
      case 'slack':
        return String(((body.blocks as { text: { text: string } }[])[0]?.text.text) ?? '');
      case 'telegram':
        return String(body.text).split('\n')[0] ?? '';
      case 'webhook': {
        const [alert] = body.alerts as { status: string; labels: { stream: string } }[];
        return `[${alert?.status.toUpperCase()}] ${alert?.labels.stream} is unhealthy`;
      }
    }
  })();
  const match = /^\[(FIRING|RESOLVED)\] (\S+) is unhealthy/.exec(text);
  return match ? `${match[2]} ${match[1]}` : text;
}

const KINDS: readonly (keyof Providers)[] = ['discord', 'slack', 'telegram', 'webhook'];
const unhealthy = (stream: string) => ({ condition: 'unhealthy', stream, severity: 'critical', title: `${stream} is unhealthy`, what: 'output: Input/output error' }) as const;

describe('notifications', () => {
  it('every message arrives exactly once and in order per stream, through a 429 and an outage', async () => {
    const slackUpAt = Date.now() + 1_000;
    const { providers, path } = await setup({
      discord: (attempt) => (attempt === 1 || attempt === 4 ? { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.3, global: false } } : { status: 204 }),
      slack: () => (Date.now() < slackUpAt ? { status: 503, body: 'upstream down' } : { status: 200, body: 'ok' }),
      telegram: (attempt) => (attempt === 2 ? { status: 429, body: { ok: false, error_code: 429, parameters: { retry_after: 1 } } } : { status: 200, body: { ok: true } }),
    });
    const stack = await openStack(path, providers, 0);
    const { manager } = stack;
    await manager.conditionActive(unhealthy('s1'));
    await manager.conditionActive(unhealthy('s2'));
    await manager.conditionCleared('unhealthy', 's1');
    await manager.conditionActive(unhealthy('s3'));
    await manager.conditionCleared('unhealthy', 's2');
    await manager.conditionCleared('unhealthy', 's3');

    await waitFor(() => KINDS.every((k) => providers[k].accepted.length >= 6), { description: 'six messages at every provider', timeoutMs: 15_000 });
    await waitFor(async () => (await stack.store.dueNotifications(Number.MAX_SAFE_INTEGER, 100)).length === 0, { description: 'an empty outbox' });
    for (const kind of KINDS) {
      const lines = providers[kind].accepted.map((body) => headline(kind, body));
      expect(lines.length, kind).toBe(6);
      for (const stream of ['s1', 's2', 's3']) expect(lines.filter((l) => l.startsWith(`${stream} `)), `${kind} ${stream}`).toEqual([`${stream} FIRING`, `${stream} RESOLVED`]);
    }
    expect(providers.telegram.paths[0]).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(stack.outcomes).toContain('discord:rate-limited');
    expect(stack.outcomes).toContain('telegram:rate-limited');
    expect(stack.outcomes).toContain('slack:failed');
    expect(stack.outcomes.filter((o) => o.endsWith(':sent'))).toHaveLength(24);
    const logText = logged.join('\n');
    expect(logText).toContain('HTTP 503');
    for (const secret of ['discord-webhook-secret', 'slack-webhook-secret', BOT_TOKEN]) expect(logText).not.toContain(secret);
  });

  it('20 streams failing at once: one grouped message per notifier, then one grouped resolved message', async () => {
    const { providers, path } = await setup();
    const { manager } = await openStack(path, providers, 300);
    const streams = Array.from({ length: 20 }, (_, i) => `cam${i}`);
    await Promise.all(streams.map((s) => manager.conditionActive(unhealthy(s))));
    await waitFor(() => KINDS.every((k) => providers[k].accepted.length === 1), { description: 'one grouped message each' });
    await Promise.all(streams.map((s) => manager.conditionCleared('unhealthy', s)));
    await waitFor(() => KINDS.every((k) => providers[k].accepted.length === 2), { description: 'one grouped resolved message each' });

    const [fired, resolved] = providers.webhook.accepted as { status: string; alerts: unknown[] }[];
    expect(fired).toMatchObject({ status: 'firing' });
    expect(fired?.alerts).toHaveLength(20);
    expect(resolved).toMatchObject({ status: 'resolved' });
    expect(resolved?.alerts).toHaveLength(20);
    expect(providers.discord.accepted[0]?.content).toBe('[FIRING] 20 alerts: 20 firing (critical)');
    expect(providers.discord.accepted[1]?.content).toBe('[RESOLVED] 20 alerts: 20 resolved (critical)');
    expect(String(providers.telegram.accepted[1]?.text)).toContain('20 resolved');
    expect(String(providers.slack.accepted[0]?.text)).toContain('cam19 is unhealthy');
  });

  it('a daemon restart while an alert fires: no duplicate, and the resolved notice still comes', async () => {
    const { providers, path } = await setup();
    const first = await openStack(path, providers, 0);
    await first.manager.conditionActive(unhealthy('radio'));
    await waitFor(() => KINDS.every((k) => providers[k].accepted.length === 1), { description: 'the firing notice' });
    await first.close();

    const second = await openStack(path, providers, 0);
    expect(second.manager.active().map((a) => a.key)).toEqual(['unhealthy:radio']);
    await second.manager.conditionActive(unhealthy('radio'));
    await second.manager.conditionCleared('unhealthy', 'radio');
    await waitFor(() => KINDS.every((k) => providers[k].accepted.length === 2), { description: 'the resolved notice' });
    await waitFor(async () => (await second.store.dueNotifications(Number.MAX_SAFE_INTEGER, 100)).length === 0, { description: 'an empty outbox' });
    for (const kind of KINDS) expect(providers[kind].accepted.map((b) => headline(kind, b)), kind).toEqual(['radio FIRING', 'radio RESOLVED']);
  });

  it('`notify test` sends one message as configured (API URL, templates) and reports a failure without the secret', async () => {
    const { providers } = await setup({ slack: () => ({ status: 404, body: 'no_service' }) });
    const notifiers = notifierConfigs(providers).map((n) =>
      n.type === 'telegram' ? { ...n, apiUrl: providers.telegram.url, templates: { title: 'ops desk: {{title}}' } } : n,
    );
    const config = { notifiers, secrets: ['slack-webhook-secret', BOT_TOKEN] } as unknown as Config;
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), setExitCode: () => {} };
    expect(await sendTestNotification(config, { notifier: 'telegram', timeout: '2000' }, io)).toBe(0);
    expect(String(providers.telegram.accepted[0]?.text)).toContain('ops desk: streamwarden test notification');
    expect(await sendTestNotification(config, { notifier: 'slack', timeout: '2000' }, io)).toBe(1);
    expect(await sendTestNotification(config, { notifier: 'nope', timeout: '2000' }, io)).toBe(1);
    expect(out.join('\n')).toMatch(/slack \(slack\) did not accept the test message: HTTP 404: .*no_service/);
    expect(out.join('\n')).not.toContain('slack-webhook-secret');
  });
});
