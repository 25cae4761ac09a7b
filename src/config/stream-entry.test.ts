import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from './load.js';
import { InvalidStreamError } from '../domain/errors.js';
import { createRedactor } from '../domain/redact.js';
import { parseStreamBody, type ParseStreamOptions } from './stream-body.js';
import { exactDuration, redactEntry, restoreMasked, toStreamEntry, type StreamEntry } from './stream-entry.js';

const DESIGN_EXAMPLE = readFileSync(fileURLToPath(new URL('../../test/fixtures/config/design-example.yaml', import.meta.url)), 'utf8');
const ENV = { STREAMWARDEN_TOKEN: 'tok-123456', DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/whsecret', RADIO_KEY: 'radiokey-42' };

/** Every check type, every option, non-default values. */
const EVERYTHING = `
rtmpServers: [{ id: local, type: srs, apiUrl: "http://127.0.0.1:1985" }]
notifiers: [{ id: ops, type: webhook, url: "http://127.0.0.1:9/hook" }]
streams:
  - id: full
    name: Everything
    desired: stopped
    inputs: [{ url: "srt://10.0.0.1:9000?streamid=abc&passphrase=p4ssphrase", options: [-re] }, lavfi:testsrc2]
    output: rtmps://live.example.com/app/supersecretkey
    encode: [-c:v, libx264, -passphrase, encsecret]
    rtmpServer: local
    notify: []
    startTimeout: 45s
    stallTimeout: 1500ms
    restart: { backoffInitial: 0s, backoffMax: 2h, multiplier: 1.5, jitter: 0, resetAfter: 90s, budget: { restarts: 3, within: 1m } }
    stop: { interruptGrace: 250ms, terminateGrace: 1s }
    onUnhealthy: [restart, drop-publisher, next-input]
    failover: { mode: rotate, returnAfter: 30s, probeInterval: 2s }
    checks:
      - { type: progress, informational: true, degraded: { speed: { min: 0.9, for: 20s }, bitrate: { minRatio: 0.3, for: 5s, learn: 10s }, fps: { source: 25 }, warmup: 2500ms } }
      - { type: process, maxCpuPercent: 150, maxRss: 512MiB, for: 10s, failureThreshold: 2 }
      - { type: ffprobe, url: "rtmp://127.0.0.1/live/probekey", expect: { video: true }, unhealthyAfter: 20s, successThreshold: 2 }
      - { type: http, name: hls, url: "http://127.0.0.1:8080/live.m3u8", status: 204, conditions: ["[BODY] == pat(*#EXTM3U*)"] }
      - { type: rtmp-server, minBitrateKbps: 100, unhealthyAfter: 5s, failureThreshold: 4 }
      - { type: content, every: 2m, duration: 5s, timeout: 20s, silence: false }
`;

function options(extra: Partial<ParseStreamOptions> = {}): ParseStreamOptions {
  return { references: { rtmpServers: ['local'], notifiers: ['ops'] }, redact: createRedactor([]), desiredDefault: 'running', ...extra };
}

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidStreamError) return error.issues;
    throw error;
  }
  throw new Error('expected an InvalidStreamError');
}

describe('stream entries', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1_500, '1500ms'],
    [30_000, '30s'],
    [90_000, '90s'],
    [600_000, '10m'],
    [7_200_000, '2h'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(exactDuration(ms)).toBe(text);
  });

  it.each([
    ['the design example', DESIGN_EXAMPLE, ENV],
    ['a stream using every option', EVERYTHING, {}],
  ])('parsing the entry of every stream of %s gives the same spec again', (_what, yaml, env) => {
    const config = loadConfigText(yaml, env);
    const references = { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) };
    for (const spec of config.streams) {
      const entry = JSON.parse(JSON.stringify(toStreamEntry(spec))) as StreamEntry;
      expect(parseStreamBody(entry, options({ references }))).toEqual(spec);
    }
  });

  it('masks every secret of the shown entry: stream keys, credential parameters, credential options, known secrets', () => {
    const [spec] = loadConfigText(EVERYTHING, {}).streams;
    if (!spec) throw new Error('no stream');
    const shown = redactEntry(toStreamEntry(spec), createRedactor(['Everything']));
    const text = JSON.stringify(shown);
    for (const secret of ['p4ssphrase', 'supersecretkey', 'encsecret', 'probekey', 'streamid=abc', 'Everything']) expect(text).not.toContain(secret);
    expect(shown).toMatchObject({
      name: '***',
      inputs: [{ url: 'srt://10.0.0.1:9000?streamid=***&passphrase=***', options: ['-re'] }, 'lavfi:testsrc2'],
      output: 'rtmps://live.example.com/app/***',
      encode: ['-c:v', 'libx264', '-passphrase', '***'],
    });
  });
});

describe('restoreMasked', () => {
  const redact = createRedactor([]);
  const stored: StreamEntry = {
    args: ['-i', 'rtmp://in.example/live/inkey', '-passphrase', 'one', '-streamid', 'two', '-f', 'flv', 'rtmp://out.example/live/outkey'],
    checks: [{ type: 'ffprobe', url: 'rtmp://out.example/live/outkey' }],
    name: 'plain',
  };

  it('restores a masked value at the same path, and a moved one that is the only match in its field', () => {
    const sent = {
      args: ['-re', '-i', 'rtmp://in.example/live/***', '-passphrase', '***', '-streamid', '***', '-f', 'flv', 'rtmp://out.example/live/***'],
      checks: [{ type: 'ffprobe', url: 'rtmp://out.example/live/***' }],
      name: 'plain',
    };
    const result = restoreMasked(sent, stored, redact);
    // -passphrase and -streamid shifted by one: "***" matches two different secrets in args.
    expect(result.issues.map((i) => i.path)).toEqual([
      ['args', 4],
      ['args', 6],
    ]);
    expect((result.value as { args: string[] }).args).toEqual([
      '-re', '-i', 'rtmp://in.example/live/inkey', '-passphrase', '***', '-streamid', '***', '-f', 'flv', 'rtmp://out.example/live/outkey',
    ]);
    expect((result.value as { checks: { url: string }[] }).checks[0]?.url).toBe('rtmp://out.example/live/outkey');
  });

  it('restores credential options at their own positions', () => {
    const sent = { ...stored, args: redactEntry(stored.args ?? [], redact, 'args') };
    const result = restoreMasked(sent, stored, redact);
    expect(result.issues).toEqual([]);
    expect(result.value).toEqual(stored);
  });

  it('refuses a masked value for another host, in another field, or with nothing stored', () => {
    expect(restoreMasked({ args: ['rtmp://evil.example/live/***'] }, stored, redact).issues.map((i) => i.path)).toEqual([['args', 0]]);
    expect(restoreMasked({ name: 'rtmp://out.example/live/***' }, stored, redact).issues.map((i) => i.path)).toEqual([['name']]);
    expect(restoreMasked({ output: 'rtmp://out.example/live/***' }, undefined, redact).issues.map((i) => i.path)).toEqual([['output']]);
  });
});

describe('parseStreamBody', () => {
  it('reports every problem with its path, including references to unknown rtmpServers and notifiers', () => {
    const issues = issuesOf(() =>
      parseStreamBody({ id: 'x', args: ['ffmpeg', '-i', 'a'], rtmpServer: 'other', notify: ['ops', 'pager'], checks: [{ type: 'nope' }], startTimeout: 5 }, options()),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'args[0]: args are the arguments to ffmpeg, without the binary: remove it',
        'rtmpServer: no rtmpServer with id "other" (configured: local)',
        'notify[1]: no notifier with id "pager" (configured: ops)',
        'startTimeout: expected a duration like "30s"',
      ]),
    );
    expect(issues.some((issue) => issue.startsWith('checks[0].type: '))).toBe(true);
  });

  it('defaults notify to every configured notifier and desired to the caller’s choice', () => {
    const spec = parseStreamBody({ id: 'x', args: ['-i', 'a', 'out.flv'] }, options({ desiredDefault: 'stopped' }));
    expect(spec).toMatchObject({ id: 'x', name: 'x', desired: 'stopped', notify: ['ops'], onUnhealthy: ['restart', 'notify'] });
  });

  it('takes the id from the path when the body has none, and refuses a different one', () => {
    expect(parseStreamBody({ args: ['-i', 'a', 'out.flv'] }, options({ pathId: 'cam' })).id).toBe('cam');
    expect(issuesOf(() => parseStreamBody({ id: 'dog', args: ['-i', 'a', 'out.flv'] }, options({ pathId: 'cam' })))).toEqual([
      'id: must match the id in the path ("cam")',
    ]);
  });

  it('never substitutes environment variables', () => {
    expect(issuesOf(() => parseStreamBody({ id: 'x', args: ['-i', 'a', 'rtmp://h/live/${HOME}'] }, options()))).toEqual([
      'args[2]: environment variables ("${…}") are not substituted in API requests; send the value itself',
    ]);
  });
});
