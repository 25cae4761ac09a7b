import { describe, expect, it } from 'vitest';
import { parseMessage, type AlertItem, type NotificationMessage } from './message.js';
import { renderItem, renderPlain, renderTitle } from './templates.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const item: AlertItem = {
  key: 'unhealthy:cam1',
  kind: 'unhealthy',
  status: 'firing',
  severity: 'critical',
  stream: 'cam1',
  title: 'cam1 is unhealthy',
  what: 'output: Input/output error',
  since: T0,
  action: 'restart',
};

describe('templates', () => {
  it('renders the default item text and drops empty lines', () => {
    expect(renderItem(item)).toBe(
      ['Stream: cam1', 'What happened: output: Input/output error', 'Since: 2026-01-01T12:00:00.000Z', 'What was done: restart'].join('\n'),
    );
  });

  it('titles one item by its title and a group by counts', () => {
    expect(renderTitle({ createdAt: T0, items: [item] })).toBe('[FIRING] cam1 is unhealthy');
    const group: NotificationMessage = { createdAt: T0, items: [item, { ...item, key: 'x', status: 'resolved', severity: 'warning' }] };
    expect(renderTitle(group)).toBe('[FIRING] 2 alerts: 1 firing, 1 resolved (critical)');
    expect(renderPlain(group)).toContain('• [RESOLVED] cam1 is unhealthy');
  });

  it('takes overrides per notifier', () => {
    const templates = { title: '{{severity}}/{{stream}}', item: '{{what}} ({{lastError}})' };
    expect(renderTitle({ createdAt: T0, items: [item] }, templates)).toBe('critical/cam1');
    expect(renderItem(item, templates)).toBe('output: Input/output error ()');
  });
});

describe('parseMessage', () => {
  it('round-trips through JSON and refuses junk', () => {
    const message: NotificationMessage = { createdAt: T0, items: [item] };
    expect(parseMessage(JSON.parse(JSON.stringify(message)))).toEqual(message);
    expect(parseMessage({ createdAt: T0, items: [] })).toBeUndefined();
    expect(parseMessage({ createdAt: T0, items: [{ ...item, kind: 'nope' }] })).toBeUndefined();
    expect(parseMessage('x')).toBeUndefined();
  });
});
