import { describe, expect, it } from 'vitest';
import { coalesceItems } from './coalesce.js';
import type { AlertItem } from './message.js';

function item(key: string, status: AlertItem['status'], since: number, extra: Partial<AlertItem> = {}): AlertItem {
  const [kind = 'unhealthy', stream = 'cam'] = key.split(':');
  return { key, kind: kind as AlertItem['kind'], status, severity: 'critical', stream, title: `${stream} ${kind}`, what: 'x', since, ...extra };
}

describe('coalesceItems: one alert once per message, in its net state', () => {
  it('firing, resolved, firing of one alert is one firing (the latest)', () => {
    const out = coalesceItems([item('unhealthy:cam', 'firing', 1), item('unhealthy:cam', 'resolved', 1, { endedAt: 2 }), item('unhealthy:cam', 'firing', 3)]);
    expect(out).toEqual([item('unhealthy:cam', 'firing', 3)]);
  });

  it('firing then resolved is one resolved that still says when it began and ended', () => {
    const out = coalesceItems([item('crashloop:cam', 'firing', 1), item('crashloop:cam', 'resolved', 1, { endedAt: 5 })]);
    expect(out).toEqual([item('crashloop:cam', 'resolved', 1, { endedAt: 5 })]);
  });

  it('keeps other alerts and every one-off event, each at the place of its last notice', () => {
    const out = coalesceItems([
      item('unhealthy:cam', 'firing', 1),
      item('publisher-dropped:cam:2:0', 'firing', 2),
      item('degraded:cam', 'resolved', 0, { endedAt: 2 }),
      item('unhealthy:cam', 'resolved', 1, { endedAt: 3 }),
      item('publisher-dropped:cam:4:1', 'firing', 4),
    ]);
    expect(out.map((i) => `${i.key}=${i.status}`)).toEqual(['publisher-dropped:cam:2:0=firing', 'degraded:cam=resolved', 'unhealthy:cam=resolved', 'publisher-dropped:cam:4:1=firing']);
  });

  it('a first notice followed by its reminder is one first notice', () => {
    const out = coalesceItems([item('unhealthy:cam', 'firing', 1), item('unhealthy:cam', 'firing', 1, { reminder: true })]);
    expect(out).toEqual([item('unhealthy:cam', 'firing', 1)]);
    expect(coalesceItems([item('unhealthy:cam', 'firing', 1, { reminder: true })])).toEqual([item('unhealthy:cam', 'firing', 1, { reminder: true })]);
  });

  it('the same alert of two streams is two alerts', () => {
    expect(coalesceItems([item('unhealthy:a', 'firing', 1), item('unhealthy:b', 'firing', 1)])).toHaveLength(2);
  });
});
