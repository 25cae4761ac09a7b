import { describe, expect, it } from 'vitest';
import { spec } from '../../test/contract/store-fixtures.js';
import type { ObservedState } from '../domain/lifecycle.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import { countActions, diffOne, reconcileDiff, specKey, type DesiredEntry, type ObservedEntry, type ReconcileAction } from './diff.js';

const changed = (s: StreamSpec): StreamSpec => ({ ...s, stallTimeoutMs: s.stallTimeoutMs + 1 });

function want(id: string, desired: DesiredState, s: StreamSpec = spec(id)): DesiredEntry {
  return { spec: { ...s, desired }, desired };
}

function have(id: string, desired: DesiredState, observed: ObservedState, s: StreamSpec = spec(id)): ObservedEntry {
  return { spec: s, desired, observed };
}

describe('diffOne (three-way cases)', () => {
  const a = spec('a');
  const cases: Array<[string, DesiredEntry | undefined, ObservedEntry | undefined, ReconcileAction | undefined]> = [
    ['in neither set', undefined, undefined, undefined],
    ['new, wanted running', want('a', 'running'), undefined, { kind: 'add', id: 'a', spec: { ...a, desired: 'running' } }],
    ['new, wanted stopped', want('a', 'stopped'), undefined, { kind: 'add', id: 'a', spec: { ...a, desired: 'stopped' } }],
    ['removed while running', undefined, have('a', 'running', 'running'), { kind: 'remove', id: 'a' }],
    ['removed while stopped', undefined, have('a', 'stopped', 'stopped'), { kind: 'remove', id: 'a' }],
    ['removed while in backoff', undefined, have('a', 'running', 'backoff'), { kind: 'remove', id: 'a' }],
    ['unchanged, running', want('a', 'running'), have('a', 'running', 'running'), { kind: 'keep', id: 'a' }],
    ['unchanged, in crashloop (the supervisor keeps retrying)', want('a', 'running'), have('a', 'running', 'crashloop'), { kind: 'keep', id: 'a' }],
    ['unchanged, stopped', want('a', 'stopped'), have('a', 'stopped', 'stopped'), { kind: 'keep', id: 'a' }],
    ['unchanged, stopping on its way', want('a', 'stopped'), have('a', 'stopped', 'stopping'), { kind: 'keep', id: 'a' }],
    ['desired flipped to running', want('a', 'running'), have('a', 'stopped', 'stopped'), { kind: 'start', id: 'a' }],
    ['desired flipped to running while still stopping', want('a', 'running'), have('a', 'stopped', 'stopping'), { kind: 'start', id: 'a' }],
    ['desired flipped to stopped', want('a', 'stopped'), have('a', 'running', 'running'), { kind: 'stop', id: 'a' }],
    ['desired flipped to stopped during backoff', want('a', 'stopped'), have('a', 'running', 'backoff'), { kind: 'stop', id: 'a' }],
    ['spec changed, running', want('a', 'running', changed(a)), have('a', 'running', 'running'), { kind: 'update', id: 'a', spec: { ...changed(a), desired: 'running' } }],
    ['spec changed and desired flipped', want('a', 'stopped', changed(a)), have('a', 'running', 'running'), { kind: 'update', id: 'a', spec: { ...changed(a), desired: 'stopped' } }],
    ['spec changed while stopped', want('a', 'stopped', changed(a)), have('a', 'stopped', 'stopped'), { kind: 'update', id: 'a', spec: { ...changed(a), desired: 'stopped' } }],
    [
      'spec.desired differs but the desired column rules (no update)',
      { spec: { ...a, desired: 'stopped' }, desired: 'running' },
      have('a', 'running', 'running', { ...a, desired: 'running' }),
      { kind: 'keep', id: 'a' },
    ],
  ];

  it.each(cases)('%s', (_name, desired, observed, expected) => {
    expect(diffOne('a', desired, observed)).toEqual(expected);
  });
});

describe('specKey', () => {
  it('ignores key order and desired, sees every other change', () => {
    const a = spec('a');
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as StreamSpec;
    expect(specKey(reordered)).toBe(specKey(a));
    expect(specKey({ ...a, desired: 'stopped' })).toBe(specKey(a));
    expect(specKey({ ...a, name: 'other' })).not.toBe(specKey(a));
    expect(specKey({ ...a, source: { kind: 'args', args: ['-i', 'x'] } })).not.toBe(specKey(a));
  });

  it('survives a round trip through JSON (the store keeps specs as JSON)', () => {
    const a = spec('a', { rtmpServer: undefined });
    expect(specKey(JSON.parse(JSON.stringify(a)) as StreamSpec)).toBe(specKey(a));
  });
});

describe('reconcileDiff', () => {
  it('gives one action per stream, ordered by id', () => {
    const desired = new Map([
      ['new', want('new', 'running')],
      ['same', want('same', 'running')],
      ['edited', want('edited', 'running', changed(spec('edited')))],
      ['off', want('off', 'stopped')],
    ]);
    const observed = new Map([
      ['same', have('same', 'running', 'running')],
      ['edited', have('edited', 'running', 'running')],
      ['off', have('off', 'running', 'starting')],
      ['gone', have('gone', 'running', 'running')],
    ]);
    const actions = reconcileDiff(desired, observed);
    expect(actions.map((action) => `${action.kind}:${action.id}`)).toEqual(['update:edited', 'remove:gone', 'add:new', 'stop:off', 'keep:same']);
    expect(countActions(actions)).toEqual({ add: 1, remove: 1, update: 1, start: 0, stop: 1, keep: 1 });
  });

  it('asks for nothing but keep once the actions took effect (level-triggered)', () => {
    const desired = new Map([['a', want('a', 'running')], ['b', want('b', 'stopped')]]);
    const observed = new Map([['a', have('a', 'running', 'starting', { ...spec('a'), desired: 'running' })], ['b', have('b', 'stopped', 'stopped')]]);
    expect(reconcileDiff(desired, observed).every((action) => action.kind === 'keep')).toBe(true);
  });

  it('is empty for two empty sets', () => {
    expect(reconcileDiff(new Map(), new Map())).toEqual([]);
  });
});
