import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nginxDropUrl, parseNginxStat } from './nginx-rtmp.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/rtmp/${name}`, import.meta.url), 'utf8');
const NOW = 1_700_000_000_000;

describe('parseNginxStat', () => {
  it('reads publishers from a real /stat capture, ignoring players', () => {
    const parsed = parseNginxStat(fixture('nginx-stat-two-publishers.xml'), NOW);
    expect(parsed).toEqual({
      ok: true,
      value: [
        {
          app: 'live',
          name: 'other',
          clientId: '3',
          bytesIn: 1241926,
          bitrateKbps: 827.824,
          publishingSinceMs: NOW - 12079,
          address: '127.0.0.1',
        },
        {
          app: 'live',
          name: 'stream-key-1',
          clientId: '4',
          bytesIn: 1241926,
          bitrateKbps: 827.824,
          publishingSinceMs: NOW - 12079,
          address: '127.0.0.1',
        },
      ],
    });
  });

  const doc = (streams: string, extraServer = ''): string =>
    `<?xml version="1.0" encoding="utf-8" ?><rtmp><nginx_version>1.22.1</nginx_version><server><application><name>live</name><live>${streams}<nclients>1</nclients></live></application></server>${extraServer}</rtmp>`;

  it('keeps numeric-looking names as strings; in the first 10 s the bitrate is the average since start', () => {
    const parsed = parseNginxStat(
      doc('<stream><name>0123</name><time>3000</time><bw_in>0</bw_in><bytes_in>300000</bytes_in><client><id>7</id><address>10.0.0.2</address><publishing/></client></stream>'),
      NOW,
    );
    expect(parsed.ok && parsed.value).toEqual([
      { app: 'live', name: '0123', clientId: '7', bytesIn: 300000, bitrateKbps: 800, publishingSinceMs: NOW - 3000, address: '10.0.0.2' },
    ]);
    const young = parseNginxStat(doc('<stream><name>k</name><time>400</time><bw_in>0</bw_in><bytes_in>9</bytes_in><client><id>7</id><publishing/></client></stream>'), NOW);
    expect(young.ok && young.value[0]?.bitrateKbps).toBeUndefined();
  });

  it('reports a zero bitrate once nginx has measured (a connected but silent publisher)', () => {
    const parsed = parseNginxStat(
      doc('<stream><name>k</name><time>25000</time><bw_in>0</bw_in><bytes_in>500</bytes_in><client><id>7</id><publishing/></client></stream>'),
      NOW,
    );
    expect(parsed.ok && parsed.value[0]?.bitrateKbps).toBe(0);
  });

  it('skips streams without a publisher and clients without ids; marks streams of another server block', () => {
    const second = '<server><application><name>live</name><live><stream><name>b</name><client><id>9</id><publishing/></client></stream></live></application></server>';
    const parsed = parseNginxStat(
      doc('<stream><name>viewers-only</name><client><id>11</id></client></stream><stream><name>x</name><client><publishing/></client></stream>', second),
      NOW,
    );
    expect(parsed.ok && parsed.value).toEqual([{ app: 'live', name: 'b', clientId: '9', bytesIn: 0, handle: '1' }]);
  });

  it('accepts an empty server', () => {
    expect(parseNginxStat('<rtmp><server></server></rtmp>', NOW)).toEqual({ ok: true, value: [] });
    expect(parseNginxStat('<rtmp></rtmp>', NOW)).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['<rtmp><server><application>', 'not well-formed XML'],
    ['<html><body>502 Bad Gateway</body></html>', 'no <rtmp> root'],
    ['{"streams": []}', 'not well-formed XML'],
    ['<!DOCTYPE x [<!ENTITY a "aaaa">]><rtmp>&a;</rtmp>', 'DOCTYPE'],
  ])('rejects %j with a clear reason', (text, reason) => {
    const parsed = parseNginxStat(text, NOW);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('nginxDropUrl', () => {
  const publisher = { app: 'live', name: 'stream-key-1', clientId: '4', bytesIn: 0 };

  it('always names the stream and the client', () => {
    const url = new URL(nginxDropUrl('http://127.0.0.1:8080/control/', publisher));
    expect(url.pathname).toBe('/control/drop/publisher');
    expect(Object.fromEntries(url.searchParams)).toEqual({ app: 'live', name: 'stream-key-1', clientid: '4' });
  });

  it('encodes names and adds srv for another server block', () => {
    const url = new URL(nginxDropUrl('http://h/control', { ...publisher, name: 'a&b c', handle: '2' }));
    expect(url.searchParams.get('name')).toBe('a&b c');
    expect(url.searchParams.get('srv')).toBe('2');
  });

  it('refuses a drop without a name (it would drop every publisher of the app)', () => {
    expect(() => nginxDropUrl('http://h/control', { ...publisher, name: '' })).toThrow(/needs both app and name/);
    expect(() => nginxDropUrl('http://h/control', { ...publisher, app: '' })).toThrow(/needs both app and name/);
  });
});
