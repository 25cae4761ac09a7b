import { describe, expect, it } from 'vitest';
import type { AlertItem, NotificationMessage } from '../../domain/alerts/message.js';
import { createRedactor } from '../../domain/redact.js';
import { discordBody, SEVERITY_COLOURS } from './discord.js';
import { createNotifier, NOTIFIER_FACTORIES } from './registry.js';
import { slackBody } from './slack.js';
import { telegramBody } from './telegram.js';
import { fingerprint, webhookBody } from './webhook.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const firing: AlertItem = {
  key: 'unhealthy:cam1',
  kind: 'unhealthy',
  status: 'firing',
  severity: 'critical',
  stream: 'cam1',
  title: 'cam1 is unhealthy',
  what: 'output: I/O error',
  since: T0,
  lastError: 'Connection refused',
};
const resolved: AlertItem = { ...firing, key: 'degraded:cam2', kind: 'degraded', stream: 'cam2', severity: 'warning', status: 'resolved', endedAt: T0 + 60_000 };
const single: NotificationMessage = { createdAt: T0, items: [firing] };
const group: NotificationMessage = { createdAt: T0, items: [firing, resolved] };

describe('discord', () => {
  it('one embed per item, coloured by severity (green when resolved)', () => {
    const body = discordBody(group) as { content: string; embeds: { color: number; title: string; description: string }[] };
    expect(body.embeds.map((e) => e.color)).toEqual([SEVERITY_COLOURS.critical, SEVERITY_COLOURS.resolved]);
    expect(body.embeds[0]?.description).toContain('Last error: Connection refused');
    expect(body.content).toContain('2 alerts');
  });

  it('caps embeds at 10 and says how many more', () => {
    const many = { createdAt: T0, items: Array.from({ length: 12 }, (_, i) => ({ ...firing, key: `k${i}` })) };
    const body = discordBody(many) as { embeds: { footer?: { text: string } }[] };
    expect(body.embeds).toHaveLength(10);
    expect(body.embeds[9]?.footer?.text).toBe('and 2 more');
  });
});

describe('slack', () => {
  it('a header block, then a section per item, and a plain-text fallback', () => {
    const body = slackBody(group) as { text: string; blocks: { type: string }[] };
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section']);
    expect(body.text).toContain('cam1 is unhealthy');
  });
});

describe('telegram', () => {
  it('sendMessage with chat id and plain text', () => {
    expect(telegramBody('-100123', single)).toMatchObject({ chat_id: '-100123', text: expect.stringContaining('[FIRING] cam1 is unhealthy') as string });
  });
});

describe('webhook (Alertmanager-shaped)', () => {
  it('has status, alerts with labels, annotations, startsAt, endsAt and fingerprint', () => {
    const body = webhookBody('hooks', group) as { status: string; commonLabels: Record<string, string>; alerts: Record<string, unknown>[] };
    expect(body.status).toBe('firing');
    expect(body.commonLabels).toEqual({});
    expect(body.alerts[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'unhealthy', severity: 'critical', stream: 'cam1' },
      annotations: { summary: '[FIRING] cam1 is unhealthy', last_error: 'Connection refused' },
      startsAt: '2026-01-01T12:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: fingerprint('unhealthy:cam1'),
    });
    expect(body.alerts[1]).toMatchObject({ status: 'resolved', endsAt: '2026-01-01T12:01:00.000Z' });
    expect(webhookBody('hooks', { createdAt: T0, items: [resolved] })).toMatchObject({ status: 'resolved', commonLabels: { stream: 'cam2' } });
  });
});

describe('registry', () => {
  it('has a factory per notifier type and builds each', () => {
    const redact = createRedactor();
    expect(Object.keys(NOTIFIER_FACTORIES).sort()).toEqual(['discord', 'slack', 'telegram', 'webhook']);
    const discord = createNotifier({ config: { id: 'd', type: 'discord', url: 'http://127.0.0.1:1/x', minSeverity: 'info' }, redact });
    expect(discord.rateLimit).toEqual({ capacity: 5, perMs: 2_000 });
    const telegram = createNotifier({ config: { id: 't', type: 'telegram', botToken: '123:abc', chatId: '1', minSeverity: 'info' }, redact });
    expect(telegram.type).toBe('telegram');
  });
});
