import { describe, expect, it } from 'vitest';
import { InvalidEngineError } from '../domain/engines/engine-errors.js';
import { parseAcquireBody, parseEngineBody } from './engine-body.js';

function issues(body: unknown): readonly string[] {
  try {
    parseEngineBody(body);
  } catch (error) {
    if (error instanceof InvalidEngineError) return error.issues;
    throw error;
  }
  return [];
}

describe('parseEngineBody', () => {
  it('fills defaults', () => {
    expect(parseEngineBody({ id: 'ace-1', host: '127.0.0.1', port: 6878 })).toEqual({ id: 'ace-1', host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 1, labels: {} });
  });

  it('accepts an http engine with conditions', () => {
    const spec = parseEngineBody({ id: 'h', host: 'engine.local', port: 80, kind: 'http', path: '/status', conditions: ['body.ok == true'], capacity: 3, labels: { region: 'eu' } });
    expect(spec).toMatchObject({ kind: 'http', path: '/status', conditions: ['body.ok == true'], capacity: 3 });
  });

  it.each<[string, unknown, string]>([
    ['bad id', { id: 'Bad Id', host: 'h', port: 1 }, 'id:'],
    ['bad port', { id: 'a', host: 'h', port: 70_000 }, 'port:'],
    ['bad host', { id: 'a', host: 'h/x', port: 1 }, 'host:'],
    ['unknown key', { id: 'a', host: 'h', port: 1, extra: 1 }, 'extra'],
    ['path on acestream', { id: 'a', host: 'h', port: 1, path: '/x' }, 'path: only for kind http'],
    ['path with a line break', { id: 'a', host: 'h', port: 1, kind: 'http', path: '/x\r\nX-Injected: 1' }, 'path: must start with / and hold only visible ASCII'],
    ['path with a space', { id: 'a', host: 'h', port: 1, kind: 'http', path: '/a b' }, 'path: must start with /'],
    ['relative path', { id: 'a', host: 'h', port: 1, kind: 'http', path: 'health' }, 'path: must start with /'],
    ['bad condition', { id: 'a', host: 'h', port: 1, kind: 'http', conditions: ['body.x ~ 1'] }, 'conditions.0:'],
    ['zero capacity', { id: 'a', host: 'h', port: 1, capacity: 0 }, 'capacity:'],
    ['not an object', [1], '(body)'],
  ])('refuses %s', (_name, body, fragment) => {
    expect(issues(body).join('\n')).toContain(fragment);
  });

  it('parses acquire bodies', () => {
    expect(parseAcquireBody(undefined)).toEqual({});
    expect(parseAcquireBody({ labels: { region: 'eu' }, stream: 'cam' })).toEqual({ labels: { region: 'eu' }, stream: 'cam' });
    expect(() => parseAcquireBody({ labels: 'eu' })).toThrow(InvalidEngineError);
  });
});
