import { describe, expect, it } from 'vitest';
import { describeEvent } from './live.js';
import { sparklinePoints } from './sparkline.js';

describe('describeEvent', () => {
  const at = '2026-01-01T12:00:00.000Z';
  it.each([
    ['state', { streamId: 'cam', from: 'running', to: 'backoff', at }, 'running → backoff', 'neutral'],
    ['health', { streamId: 'cam', from: 'healthy', to: 'unhealthy', reason: 'process exited', at }, 'health unhealthy — process exited', 'bad'],
    ['health', { streamId: 'cam', to: 'healthy', at }, 'health healthy', 'good'],
    ['recovery', { streamId: 'cam', reason: 'killed', lastError: null, next: 'starting', delaySeconds: 0, at }, 'run ended (killed); starting in 0.0 s', 'bad'],
    ['recovery', { streamId: 'cam', layer: 'watchdog', phase: 'action', action: 'restart', reason: 'output failing', at }, 'watchdog: restart — output failing', 'warn'],
    ['recovery', { streamId: 'cam', layer: 'watchdog', phase: 'recovered', cause: 'check-failed', locus: 'output', recoveredAfterSeconds: 2.5, at }, 'recovered (check-failed at output) after 2.5 s', 'good'],
    ['notification', { streamId: 'cam', severity: 'critical', title: 'cam crash loop', text: '5 restarts', at }, '[critical] cam crash loop — 5 restarts', 'bad'],
  ] as const)('%s %j', (type, data, text, tone) => {
    expect(describeEvent('7', type, data)).toEqual({ id: '7', type, streamId: 'cam', at, text, tone });
  });
});

describe('sparklinePoints', () => {
  it('scales samples into the box and breaks the line at gaps', () => {
    expect(sparklinePoints([])).toEqual([]);
    expect(sparklinePoints([null, null])).toEqual([]);
    const [first, second, ...rest] = sparklinePoints([0, 10, null, 5, 10], 40, 12);
    expect(first).toBe('0.0,11.0 10.0,1.0');
    expect(second).toBe('30.0,6.0 40.0,1.0');
    expect(rest).toEqual([]);
  });
});
