import { describe, expect, it } from 'vitest';
import { selectEngine, type SelectableEngine } from './engine-selection.js';
import { matchesLabels, statusUrl } from './engine-spec.js';

const engine = (id: string, overrides: Partial<SelectableEngine> = {}): SelectableEngine => ({
  id,
  status: 'healthy',
  labels: {},
  capacity: 1,
  streams: 0,
  ...overrides,
});

describe('selectEngine', () => {
  it.each<[string, SelectableEngine[], Record<string, string> | undefined, string]>([
    ['never used before used', [engine('a', { lastStreamUsage: 5 }), engine('b')], undefined, 'b'],
    ['least recently used first', [engine('a', { lastStreamUsage: 20 }), engine('b', { lastStreamUsage: 10 })], undefined, 'b'],
    ['ties: fewer streams, then id', [engine('b', { capacity: 3, streams: 1 }), engine('c', { capacity: 3 }), engine('a', { capacity: 3, streams: 2 })], undefined, 'c'],
    ['ties broken by id', [engine('b'), engine('a')], undefined, 'a'],
    ['full engines skipped', [engine('a', { streams: 1 }), engine('b', { lastStreamUsage: 99 })], undefined, 'b'],
    ['unhealthy, degraded and unknown never chosen', [engine('a', { status: 'unhealthy' }), engine('b', { status: 'degraded' }), engine('c', { status: 'unknown' }), engine('d', { lastStreamUsage: 1 })], undefined, 'd'],
    ['label selector', [engine('a', { labels: { region: 'eu' } }), engine('b', { labels: { region: 'us' } })], { region: 'us' }, 'b'],
    ['capacity above one', [engine('a', { capacity: 2, streams: 1, lastStreamUsage: 1 }), engine('b', { streams: 1 })], undefined, 'a'],
  ])('%s', (_name, engines, selector, expected) => {
    expect(selectEngine(engines, selector)).toEqual({ ok: true, id: expected });
  });

  it.each<[string, SelectableEngine[], Record<string, string> | undefined, string]>([
    ['empty pool', [], undefined, 'no-engines'],
    ['no label match', [engine('a', { labels: { region: 'eu' } })], { region: 'us' }, 'no-label-match'],
    ['none healthy', [engine('a', { status: 'unhealthy' }), engine('b', { status: 'unknown' })], undefined, 'none-healthy'],
    ['all full', [engine('a', { streams: 1 }), engine('b', { status: 'unhealthy' })], undefined, 'all-full'],
    ['matching ones unhealthy, others healthy', [engine('a', { labels: { r: 'x' }, status: 'degraded' }), engine('b')], { r: 'x' }, 'none-healthy'],
  ])('says why nothing qualifies: %s', (_name, engines, selector, reason) => {
    const result = selectEngine(engines, selector);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message).not.toBe('');
    }
  });
});

describe('engine spec helpers', () => {
  it('matches labels', () => {
    expect(matchesLabels({ a: '1', b: '2' }, { a: '1' })).toBe(true);
    expect(matchesLabels({ a: '1' }, { a: '2' })).toBe(false);
    expect(matchesLabels({}, { toString: 'x' })).toBe(false);
    expect(matchesLabels({ a: '1' }, undefined)).toBe(true);
  });

  it('builds status URLs', () => {
    const base = { id: 'e', host: '127.0.0.1', port: 6878, capacity: 1, labels: {} };
    expect(statusUrl({ ...base, kind: 'acestream' })).toBe('http://127.0.0.1:6878/server/api?api_version=3&method=get_status');
    expect(statusUrl({ ...base, kind: 'http', path: '/health' })).toBe('http://127.0.0.1:6878/health');
    expect(statusUrl({ ...base, host: '::1', kind: 'http' })).toBe('http://[::1]:6878/');
  });
});
