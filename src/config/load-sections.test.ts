import { describe, expect, it } from 'vitest';
import { loadConfigText } from './load.js';
import { ARGS, issuesOf, oneStream } from '../../test/helpers/config-text.js';

describe('checks', () => {
  it.each([
    ['progress', '{type: progress}', { intervalMs: 1_000, timeoutMs: 1_000, unhealthyAfterMs: 10_000, settings: {} }],
    [
      'progress with degraded rules',
      '{type: progress, degraded: {speed: {min: 0.9}, bitrate: {minRatio: 0.25, for: 5s, learn: 10s}, fps: {source: 30, for: 1m}, warmup: 2s}}',
      { settings: { degraded: { speed: { min: 0.9 }, bitrate: { minRatio: 0.25, forMs: 5_000, learnMs: 10_000 }, fps: { sourceFps: 30, forMs: 60_000 }, warmupMs: 2_000 } } },
    ],
    [
      'process',
      '{type: process, maxCpuPercent: 250, maxRss: 512MiB}',
      { intervalMs: 5_000, timeoutMs: 2_000, failureThreshold: 1, settings: { maxCpuPercent: 250, maxRssBytes: 536_870_912, forMs: 30_000 } },
    ],
    ['process rss in bytes', '{type: process, maxRss: 1000, for: 1m}', { settings: { maxRssBytes: 1_000, forMs: 60_000 } }],
    [
      'ffprobe',
      '{type: ffprobe, url: "rtmp://h/live/x", expect: {video: true}}',
      { intervalMs: 3_000, timeoutMs: 10_000, unhealthyAfterMs: 30_000, settings: { url: 'rtmp://h/live/x', expect: { video: true } } },
    ],
    [
      'ffprobe with a failure count',
      '{type: ffprobe, url: x, failureThreshold: 5}',
      { failureThreshold: 5 },
      ['unhealthyAfterMs'],
    ],
    [
      'http',
      '{type: http, url: "http://127.0.0.1/health", conditions: ["[BODY].ok == true"]}',
      { intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3, settings: { url: 'http://127.0.0.1/health', status: 200, conditions: ['[BODY].ok == true'] } },
    ],
    ['rtmp-server', '{type: rtmp-server, minBitrateKbps: 500}', { intervalMs: 5_000, settings: { minBitrateKbps: 500 } }],
    [
      'content',
      '{type: content, every: 2m, silence: false}',
      { intervalMs: 120_000, timeoutMs: 30_000, settings: { durationMs: 10_000, black: true, freeze: true, silence: false } },
    ],
    [
      'common fields',
      '{type: http, url: "https://x/", name: web, interval: 1s, timeout: 500ms, informational: true, successThreshold: 2}',
      { name: 'web', intervalMs: 1_000, timeoutMs: 500, informational: true, successThreshold: 2 },
    ],
  ])('%s', (_name, check, expected, absent: string[] = []) => {
    const text = oneStream(`${ARGS}\nrtmpServer: local\nchecks: [${check}]`, 'rtmpServers: [{id: local, type: srs, apiUrl: "http://127.0.0.1:1985"}]\n');
    const resolved = loadConfigText(text, {}).streams[0]?.checks[0];
    expect(resolved).toMatchObject(expected);
    for (const key of absent) expect(resolved).not.toHaveProperty(key);
  });
});

describe('failover', () => {
  const inputs = 'inputs: [rtmp://127.0.0.1/src/a, rtmp://127.0.0.1/src/b]\noutput: rtmp://127.0.0.1/live/out';
  it.each([
    ['absent', '', undefined],
    ['a bare mode', 'failover: rotate', { mode: 'rotate', returnAfterMs: 60_000, probeIntervalMs: 10_000, probeTimeoutMs: 5_000 }],
    [
      'every field',
      'failover: {mode: priority, returnAfter: 20s, probeInterval: 2s, probeTimeout: 1500ms}',
      { mode: 'priority', returnAfterMs: 20_000, probeIntervalMs: 2_000, probeTimeoutMs: 1_500 },
    ],
    ['defaults only', 'failover: {}', { mode: 'priority', returnAfterMs: 60_000, probeIntervalMs: 10_000, probeTimeoutMs: 5_000 }],
  ])('%s', (_name, field, expected) => {
    expect(loadConfigText(oneStream(`${inputs}\n${field}`), {}).streams[0]?.failover).toEqual(expected);
  });
});

describe('streams on an engine pool', () => {
  it.each([
    ['any engine', 'engine: {}', { labels: {} }],
    ['by labels', 'engine: {labels: {region: eu}}', { labels: { region: 'eu' } }],
  ])('%s', (_name, field, expected) => {
    const config = loadConfigText(oneStream(`inputs: ["http://{engine}/ace/getstream?id=1"]\noutput: rtmp://127.0.0.1/live/x\n${field}`), {});
    expect(config.streams[0]?.engine).toEqual(expected);
    expect(config.streams[0]?.source).toMatchObject({ inputs: [{ url: 'http://{engine}/ace/getstream?id=1' }] });
  });

  it('accepts the placeholders in args, with ${VAR} substituted around them', () => {
    const config = loadConfigText(oneStream('args: [-i, "http://{engine.host}:{engine.port}/${P}", -f, flv, rtmp://127.0.0.1/live/x]\nengine: {}'), { P: 'path' });
    expect(config.streams[0]?.source).toEqual({ kind: 'args', args: ['-i', 'http://{engine.host}:{engine.port}/path', '-f', 'flv', 'rtmp://127.0.0.1/live/x'] });
  });

  it.each([
    ['engine without a placeholder', `${ARGS}\nengine: {}`, ['streams[0].engine: a stream on an engine pool must use {engine} (or {engine.host} / {engine.port}) in its inputs, output, encode or args']],
    [
      'a placeholder without engine',
      'inputs: [{url: "http://{engine}/s", options: [-headers, "X: {engine.port}"]}]\noutput: y',
      [
        'streams[0].inputs[0].url: uses an {engine} placeholder, but the stream names no engine pool: add engine: {} (or engine: {labels: {...}})',
        'streams[0].inputs[0].options[1]: uses an {engine} placeholder, but the stream names no engine pool: add engine: {} (or engine: {labels: {...}})',
      ],
    ],
    ['an unknown key', 'inputs: ["http://{engine}/s"]\noutput: y\nengine: {pool: a}', ['streams[0].engine.pool: unknown key']],
    ['fallback inputs', 'inputs: ["http://{engine}/s", "lavfi:sine"]\noutput: y\nengine: {}', ['streams[0].inputs: a stream on an engine pool has one input (fallback inputs are not supported with engine yet)']],
    ['not a mapping', 'inputs: ["http://{engine}/s"]\noutput: y\nengine: eu', ['streams[0].engine: expected {labels}, e.g. {labels: {region: eu}}, or {} for any engine']],
  ])('refuses %s', (_name, fields, expected) => {
    expect(issuesOf(oneStream(fields))).toEqual(expected);
  });
});

describe('notifications', () => {
  it('resolves global, templates, rateLimit and the telegram apiUrl', () => {
    const text = [
      'notifiers:',
      '  - id: t',
      '    type: telegram',
      '    botToken: "123:abc"',
      '    chatId: 7',
      '    apiUrl: "http://127.0.0.1:8081"',
      '    global: false',
      '    templates: {title: "{{stream}} {{status}}", item: "{{what}}"}',
      '    rateLimit: {capacity: 5, per: 2s}',
    ].join('\n');
    expect(loadConfigText(text, {}).notifiers).toEqual([
      {
        id: 't',
        type: 'telegram',
        botToken: '123:abc',
        chatId: '7',
        apiUrl: 'http://127.0.0.1:8081',
        minSeverity: 'info',
        global: false,
        templates: { title: '{{stream}} {{status}}', item: '{{what}}' },
        rateLimit: { capacity: 5, perMs: 2_000 },
      },
    ]);
  });

  it('resolves alert timings and maintenance windows', () => {
    const text = [
      'alerts:',
      '  for: {unhealthy: 30s, degraded: 2m, crashloop: 0s, engineUnhealthy: 1m}',
      '  reminders: {critical: 30m, warning: 0s}',
      '  groupWindow: 5s',
      '  sendResolved: false',
      'maintenance:',
      '  - {start: "2026-01-31T22:00:00Z", end: "2026-01-31T23:00:00Z"}',
      '  - {stream: cam, start: "2026-02-01T01:00:00+01:00", end: "2026-02-01T02:00:00+01:00"}',
    ].join('\n');
    const config = loadConfigText(text, {});
    expect(config.alerts).toEqual({
      forMs: { unhealthy: 30_000, degraded: 120_000, crashloop: 0, 'engine-unhealthy': 60_000 },
      reminderMs: { critical: 1_800_000, warning: 0 },
      groupWindowMs: 5_000,
      sendResolved: false,
    });
    expect(config.maintenance).toEqual([
      { start: Date.parse('2026-01-31T22:00:00Z'), end: Date.parse('2026-01-31T23:00:00Z') },
      { stream: 'cam', start: Date.parse('2026-02-01T00:00:00Z'), end: Date.parse('2026-02-01T01:00:00Z') },
    ]);
  });

  it.each([
    ['unknown notifier key', 'notifiers: [{id: a, type: webhook, url: "http://x", templates: {body: x}}]', ['notifiers[0].templates.body: unknown key']],
    ['apiUrl only for telegram', 'notifiers: [{id: a, type: webhook, url: "http://x", apiUrl: "http://y"}]', ['notifiers[0].apiUrl: unknown key']],
    ['rate limit', 'notifiers: [{id: a, type: slack, url: "http://x", rateLimit: {capacity: 0, per: 0s}}]', ['notifiers[0].rateLimit.capacity: must be at least 1', 'notifiers[0].rateLimit.per: must be longer than 0']],
    ['unknown condition', 'alerts: {for: {offline: 1m}}', ['alerts.for.offline: unknown key']],
    ['bad time', 'maintenance: [{start: tomorrow, end: "2026-01-31T23:00:00Z"}]', ['maintenance[0].start: expected an ISO 8601 time like "2026-01-31T22:00:00Z"']],
    ['end before start', 'maintenance: [{start: "2026-01-31T23:00:00Z", end: "2026-01-31T22:00:00Z"}]', ['maintenance[0].end: must be after start']],
  ])('rejects %s', (_name, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });
});

describe('controller', () => {
  it('is absent unless configured', () => {
    expect(loadConfigText('streams: []\n', {}).controller).toBeUndefined();
    expect(loadConfigText('controller:\n', {}).controller).toBeUndefined();
  });

  it('resolves url, token, heartbeatTimeout and reconnectDelay; the token is a secret', () => {
    const config = loadConfigText('controller: {url: "http://127.0.0.1:9000/events", token: tok-1, heartbeatTimeout: 20s, reconnectDelay: 2s}\n', {});
    expect(config.controller).toEqual({ url: 'http://127.0.0.1:9000/events', token: 'tok-1', heartbeatTimeoutMs: 20_000, reconnectDelayMs: 2_000 });
    expect(config.secrets).toContain('tok-1');
  });

  it('needs only a url', () => {
    expect(loadConfigText('controller: {url: "http://127.0.0.1:9000/events"}\n', {}).controller).toEqual({ url: 'http://127.0.0.1:9000/events' });
  });

  it.each([
    ['an unknown key', 'controller: {url: "http://127.0.0.1:9000/e", tokn: x}\n', /^controller\.tokn: unknown key/],
    ['a missing url', 'controller: {token: x}\n', /^controller\.url: /],
    ['a bad url', 'controller: {url: "ftp://x"}\n', /^controller\.url: /],
    ['a bad heartbeatTimeout', 'controller: {url: "http://127.0.0.1:9000/e", heartbeatTimeout: soon}\n', /^controller\.heartbeatTimeout: /],
    ['a zero reconnectDelay', 'controller: {url: "http://127.0.0.1:9000/e", reconnectDelay: 0s}\n', /^controller\.reconnectDelay: /],
  ])('rejects %s', (_name, text, expected) => {
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(expected);
  });
});

describe('engines', () => {
  it('resolves engines with their defaults and the polling settings', () => {
    const text = [
      'engines:',
      '  - {id: ace-1, host: 127.0.0.1, port: 6878}',
      '  - {id: web, host: engines.local, port: 8080, kind: http, path: /health, conditions: ["body.ok == true"], capacity: 4, labels: {region: eu}}',
      'enginePolling: {interval: 10s, timeout: 2s, maxInFlight: 50, failureThreshold: 3, successThreshold: 1, unparsableThreshold: 4, grace: 0s}',
    ].join('\n');
    const config = loadConfigText(text, {});
    expect(config.engines).toEqual([
      { id: 'ace-1', host: '127.0.0.1', port: 6878, kind: 'acestream', capacity: 1, labels: {} },
      { id: 'web', host: 'engines.local', port: 8080, kind: 'http', path: '/health', conditions: ['body.ok == true'], capacity: 4, labels: { region: 'eu' } },
    ]);
    expect(config.enginePolling).toEqual({ intervalMs: 10_000, timeoutMs: 2_000, maxInFlight: 50, failureThreshold: 3, successThreshold: 1, unparsableThreshold: 4, graceMs: 0 });
  });

  it.each([
    ['a path on an acestream engine', 'engines: [{id: a, host: h, port: 1, path: /x}]', ['engines[0].path: only for kind http']],
    ['a bad port', 'engines: [{id: a, host: h, port: 0}]', ['engines[0].port: must be at least 1']],
    ['an unknown key', 'engines: [{id: a, host: h, port: 1, weight: 2}]', ['engines[0].weight: unknown key']],
    ['duplicate ids', 'engines: [{id: a, host: h, port: 1}, {id: a, host: h, port: 2}]', ['engines[1].id: duplicate id "a" (also engines[0])']],
    ['a zero interval', 'enginePolling: {interval: 0s}', ['enginePolling.interval: must be longer than 0']],
  ])('rejects %s', (_name, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });
});
