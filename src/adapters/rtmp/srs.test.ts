import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSrsClients, parseSrsStreams } from './srs.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/rtmp/${name}`, import.meta.url), 'utf8');

describe('parseSrsStreams', () => {
  it('lists active publishers with their client id and 30 s inbound bitrate (v5 and v3 shapes)', () => {
    expect(parseSrsStreams(fixture('srs-streams.json'))).toEqual({
      ok: true,
      value: [
        { app: 'live', name: 'stream-key-1', clientId: 'o7e15a0p', bytesIn: 8196493, bitrateKbps: 2436 },
        { app: 'other', name: '123', clientId: '112', bytesIn: 343569813, bitrateKbps: 1008 },
      ],
    });
  });

  it('skips entries it cannot use instead of failing', () => {
    const text = JSON.stringify({
      code: 0,
      streams: [null, 5, { name: 'x', app: 'live', publish: { active: true } }, { name: 'y', app: 'live', publish: { active: 'yes', cid: 1 } }],
    });
    expect(parseSrsStreams(text)).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['{"code":0,"streams":[', 'not JSON'],
    ['[]', 'not a JSON object'],
    ['{"streams":[]}', 'no numeric "code"'],
    ['{"code":1000}', 'SRS answered code 1000'],
    ['{"code":0}', 'no "streams" list'],
    ['{"code":0,"streams":{}}', 'no "streams" list'],
  ])('rejects %s', (text, reason) => {
    const parsed = parseSrsStreams(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('parseSrsClients', () => {
  it('indexes clients by id with ip and age', () => {
    const parsed = parseSrsClients(fixture('srs-clients.json'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.get('o7e15a0p')).toEqual({ id: 'o7e15a0p', ip: '172.17.0.1', aliveSeconds: 27.19 });
    expect(parsed.value.size).toBe(2);
  });

  it('rejects a document without clients', () => {
    expect(parseSrsClients('{"code":0}').ok).toBe(false);
  });
});
