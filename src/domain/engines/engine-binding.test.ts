import { describe, expect, it } from 'vitest';
import { bindSource, decideBeforeSpawn, decideOnTransition, substituteEngine, usesEngine, type BoundEngine } from './engine-binding.js';

const bound = (status: BoundEngine['status'], engineId = 'a'): BoundEngine => ({ engineId, claimId: 'c1', status });

describe('engine placeholders', () => {
  it.each([
    ['http://{engine}/ace/getstream?id=1', 'http://10.0.0.5:6878/ace/getstream?id=1'],
    ['{engine.host}|{engine.port}|{engine}', '10.0.0.5|6878|10.0.0.5:6878'],
    ['no placeholder {engines} {engine.path}', 'no placeholder {engines} {engine.path}'],
  ])('%s', (text, expected) => {
    expect(substituteEngine(text, { host: '10.0.0.5', port: 6878 })).toBe(expected);
  });

  it('brackets an IPv6 host in {engine} but not in {engine.host}', () => {
    expect(substituteEngine('http://{engine}/ {engine.host}', { host: '::1', port: 80 })).toBe('http://[::1]:80/ ::1');
  });

  it('binds every ffmpeg-bound string of both source forms', () => {
    const engine = { host: 'h', port: 1 };
    expect(bindSource({ kind: 'args', args: ['-i', 'http://{engine}/s'] }, engine)).toEqual({ kind: 'args', args: ['-i', 'http://h:1/s'] });
    const pipeline = {
      kind: 'pipeline',
      inputs: [{ url: 'http://{engine}/a', options: ['-headers', 'Host: {engine.host}'] }, { url: 'lavfi:sine', options: [] }],
      output: 'rtmp://127.0.0.1/live/{engine.port}',
      encode: ['-metadata', 'engine={engine}'],
    } as const;
    expect(bindSource(pipeline, engine)).toEqual({
      kind: 'pipeline',
      inputs: [{ url: 'http://h:1/a', options: ['-headers', 'Host: h'] }, { url: 'lavfi:sine', options: [] }],
      output: 'rtmp://127.0.0.1/live/1',
      encode: ['-metadata', 'engine=h:1'],
    });
    expect(usesEngine(pipeline)).toBe(true);
    expect(usesEngine({ kind: 'args', args: ['-i', 'x'] })).toBe(false);
  });
});

describe('decideBeforeSpawn', () => {
  it.each([
    ['no engine held', undefined, { kind: 'acquire' }],
    ['healthy', bound('healthy'), { kind: 'keep' }],
    ['not polled yet (after a restart)', bound('unknown'), { kind: 'keep' }],
    ['degraded', bound('degraded'), { kind: 'keep' }],
    ['unhealthy', bound('unhealthy'), { kind: 'acquire', release: 'c1' }],
    ['removed', bound('gone'), { kind: 'acquire', release: 'c1' }],
  ] as const)('%s', (_name, engine, expected) => {
    expect(decideBeforeSpawn(engine)).toEqual(expected);
  });
});

describe('decideOnTransition', () => {
  it.each([
    ['its engine turned unhealthy', { bound: bound('unhealthy') }, { engineId: 'a', to: 'unhealthy' }, 'move'],
    ['another engine turned unhealthy', { bound: bound('healthy') }, { engineId: 'b', to: 'unhealthy' }, 'none'],
    ['an engine turned healthy while it sits on an unhealthy one', { bound: bound('unhealthy') }, { engineId: 'b', to: 'healthy' }, 'move'],
    ['its own engine recovered', { bound: bound('healthy') }, { engineId: 'a', to: 'healthy' }, 'none'],
    ['an engine turned healthy while it waits', { waiting: true }, { engineId: 'b', to: 'healthy' }, 'retry'],
    ['an engine turned healthy, it neither waits nor holds one', {}, { engineId: 'b', to: 'healthy' }, 'none'],
    ['degraded is no reason to act', { bound: bound('healthy') }, { engineId: 'a', to: 'degraded' }, 'none'],
  ] as const)('%s', (_name, stream, event, expected) => {
    expect(decideOnTransition({ waiting: false, ...stream }, event)).toBe(expected);
  });
});
