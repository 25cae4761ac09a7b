import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/errors.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY } from '../domain/stream-spec.js';
import type { Env } from './env.js';
import { loadConfigFile, loadConfigText } from './load.js';

const DESIGN_EXAMPLE = fileURLToPath(new URL('../../test/fixtures/config/design-example.yaml', import.meta.url));
const DESIGN_ENV = {
  STREAMWARDEN_TOKEN: 'tok-123',
  DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/hook-secret',
  RADIO_KEY: 'radio-key-9',
};

/** The issues of a configuration that must fail. */
function issuesOf(text: string, env: Env = {}): readonly string[] {
  try {
    loadConfigText(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** A config with one stream built from extra YAML lines (indented as stream fields). */
function oneStream(fields: string, head = ''): string {
  return `${head}streams:\n  - id: s\n${fields.replace(/^/gm, '    ')}\n`;
}

const ARGS = 'args: [-i, in.mp4, -f, flv, rtmp://127.0.0.1/live/x]';

describe('the DESIGN.md §4.2 example', () => {
  it('loads and resolves', async () => {
    const config = await loadConfigFile(DESIGN_EXAMPLE, DESIGN_ENV);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787, token: 'tok-123' });
    expect(config.storage).toEqual({ path: './data/streamwarden.db' });
    expect(config.ffmpeg).toEqual({ path: 'ffmpeg', ffprobePath: 'ffprobe' });
    expect(config.rtmpServers).toEqual([
      { id: 'local', type: 'nginx-rtmp', statUrl: 'http://127.0.0.1:8080/stat', controlUrl: 'http://127.0.0.1:8080/control' },
    ]);
    expect(config.notifiers).toEqual([{ id: 'ops', type: 'discord', url: DESIGN_ENV.DISCORD_WEBHOOK_URL, minSeverity: 'info', global: true }]);

    const [radio, camera] = config.streams;
    expect(radio?.name).toBe('24/7 radio');
    expect(radio?.source).toEqual({
      kind: 'pipeline',
      inputs: [
        { url: 'http://127.0.0.1:8000/radio.mp3', options: [] },
        { url: 'lavfi:sine=frequency=440', options: [] },
      ],
      output: 'rtmp://127.0.0.1:1935/live/radio-radio-key-9',
      encode: ['-c:a', 'aac', '-b:a', '128k', '-f', 'flv'],
    });
    expect(radio?.rtmpServer).toBe('local');
    expect(radio?.checks).toEqual([
      {
        type: 'ffprobe',
        name: 'ffprobe',
        intervalMs: 3_000,
        timeoutMs: 10_000,
        informational: false,
        unhealthyAfterMs: 30_000,
        successThreshold: 1,
        settings: { url: 'rtmp://127.0.0.1:1935/live/radio', expect: {} },
      },
    ]);
    expect(radio?.onUnhealthy).toEqual(['restart', 'drop-publisher', 'next-input', 'notify']);
    expect(radio?.notify).toEqual(['ops']); // defaults to every notifier

    expect(camera?.name).toBe('camera');
    expect(camera?.source.kind).toBe('args');
    expect(camera?.source.kind === 'args' && camera.source.args.at(-1)).toBe('rtmp://127.0.0.1:1935/live/camera');
    expect(camera?.restart).toEqual({
      ...DEFAULT_RESTART_POLICY,
      backoffMaxMs: 30_000,
      budget: { restarts: 10, withinMs: 600_000 },
    });
    expect(camera?.notify).toEqual(['ops']);
    expect(camera?.onUnhealthy).toEqual(['restart', 'notify']);
    expect(camera?.checks).toEqual([]);

    expect([...config.secrets].sort()).toEqual(Object.values(DESIGN_ENV).sort());
  });

  it('is deeply frozen', async () => {
    const config = await loadConfigFile(DESIGN_EXAMPLE, DESIGN_ENV);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.streams[0]?.source)).toBe(true);
    expect(Object.isFrozen(config.streams[0]?.checks[0]?.settings)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('reports every unset variable by name and path', async () => {
    await expect(loadConfigFile(DESIGN_EXAMPLE, {})).rejects.toMatchObject({
      issues: [
        'server.token: environment variable STREAMWARDEN_TOKEN is not set',
        'notifiers[0].url: environment variable DISCORD_WEBHOOK_URL is not set',
        'streams[0].output: environment variable RADIO_KEY is not set',
      ],
    });
  });
});

describe('defaults', () => {
  it('an empty file is a valid, empty configuration', () => {
    const config = loadConfigText('# nothing yet\n', {});
    expect(config).toEqual({
      server: { host: '127.0.0.1', port: 8787 },
      storage: { path: './data/streamwarden.db' },
      ffmpeg: {},
      rtmpServers: [],
      notifiers: [],
      alerts: { forMs: {}, reminderMs: {} },
      maintenance: [],
      engines: [],
      enginePolling: {},
      streams: [],
      secrets: [],
    });
  });

  it('empty sections count as absent', () => {
    expect(loadConfigText('server:\nstorage:\nstreams:\n', {}).server.port).toBe(8787);
  });

  it('a minimal stream gets the §3 defaults', () => {
    const [stream] = loadConfigText(oneStream(ARGS), {}).streams;
    expect(stream).toEqual({
      id: 's',
      name: 's',
      desired: 'running',
      source: { kind: 'args', args: ['-i', 'in.mp4', '-f', 'flv', 'rtmp://127.0.0.1/live/x'] },
      restart: DEFAULT_RESTART_POLICY,
      stop: DEFAULT_STOP_POLICY,
      startTimeoutMs: 30_000,
      stallTimeoutMs: 10_000,
      checks: [],
      onUnhealthy: ['restart', 'notify'],
      notify: [],
    });
  });

  it('parses listen, durations and input options', () => {
    const config = loadConfigText(
      oneStream(
        [
          'desired: stopped',
          'inputs: [{url: in.mp4, options: [-re, -stream_loop, "-1"]}, lavfi:testsrc2]',
          'output: out.flv',
          'startTimeout: 1m30s',
          'stallTimeout: 500ms',
          'stop: {interruptGrace: 2s, terminateGrace: 1s}',
          'restart: {backoffInitial: 0s, multiplier: 1.5, jitter: 0, resetAfter: 1h}',
        ].join('\n'),
        'server: {listen: "[::1]:0"}\n',
      ),
      {},
    );
    expect(config.server).toEqual({ host: '::1', port: 0 });
    const stream = config.streams[0];
    expect(stream?.desired).toBe('stopped');
    expect(stream?.source).toEqual({
      kind: 'pipeline',
      inputs: [
        { url: 'in.mp4', options: ['-re', '-stream_loop', '-1'] },
        { url: 'lavfi:testsrc2', options: [] },
      ],
      output: 'out.flv',
      encode: [],
    });
    expect(stream?.startTimeoutMs).toBe(90_000);
    expect(stream?.stallTimeoutMs).toBe(500);
    expect(stream?.stop).toEqual({ interruptGraceMs: 2_000, terminateGraceMs: 1_000 });
    expect(stream?.restart).toMatchObject({ backoffInitialMs: 0, backoffMultiplier: 1.5, jitter: 0, resetAfterMs: 3_600_000 });
  });

  it('accepts YAML merge keys, so streams can share settings', () => {
    const text = [
      'x-common: &common',
      '  restart: {backoffMax: 5s}',
      'streams:',
      '  - <<: *common',
      '    id: a',
      `    ${ARGS}`,
    ].join('\n');
    // The anchor's host key is itself unknown; merge keys work inside streams.
    expect(issuesOf(text)).toEqual(['x-common: unknown key']);
    const merged = 'streams:\n  - &a {id: a, restart: {backoffMax: 5s}, args: [-i, x]}\n  - {<<: *a, id: b}\n';
    expect(loadConfigText(merged, {}).streams[1]?.restart.backoffMaxMs).toBe(5_000);
  });
});

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

describe('errors', () => {
  it('reports every problem of a file at once, in file order', () => {
    const text = [
      'server:',
      '  listen: localhost', // 2
      '  tokn: abc',
      'rtmpServers:',
      '  - {id: local, type: nginx-rtmp, statUrl: "http://127.0.0.1/stat"}',
      'streams:',
      '  - id: radio',
      '    inputs: []',
      '    output: out.flv',
      '    restart: {backoffMax: 30, budget: {restarts: 0}}',
      '    notify: [ops]',
      '  - id: camera',
      '    args: [-i, x]',
      '    restart:',
      '      backoffMax: soon',
      '    checks: [{type: ffprobe, url: x, interval: 3}]',
      '    onUnhealthy: [drop-publisher]',
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      'server.listen: expected "host:port" like "127.0.0.1:8787"',
      'server.tokn: unknown key (did you mean "token"?)',
      'rtmpServers[0].controlUrl: is required',
      'streams[0].inputs: must not be empty',
      'streams[0].restart.backoffMax: expected a duration like "30s"',
      'streams[0].restart.budget.restarts: must be at least 1',
      'streams[0].notify[0]: no notifier with id "ops" (no notifiers are configured)',
      'streams[1].restart.backoffMax: expected a duration like "30s"',
      'streams[1].checks[0].interval: expected a duration like "30s"',
      'streams[1].onUnhealthy[0]: drop-publisher needs rtmpServer on this stream',
    ]);
  });

  it.each([
    ['root', 'stream: []\n', ['stream: unknown key (did you mean "streams"?)']],
    ['server', 'server: {port: 80}\n', ['server.port: unknown key']],
    ['storage', 'storage: {file: x.db}\n', ['storage.file: unknown key']],
    ['ffmpeg', 'ffmpeg: {ffprobe: x}\n', ['ffmpeg.ffprobe: unknown key']],
    ['stream', oneStream(`${ARGS}\nstall: 5s`), ['streams[0].stall: unknown key']],
    ['restart', oneStream(`${ARGS}\nrestart: {backoffmax: 5s}`), ['streams[0].restart.backoffmax: unknown key (did you mean "backoffMax"?)']],
    ['budget', oneStream(`${ARGS}\nrestart: {budget: {max: 3}}`), ['streams[0].restart.budget.max: unknown key']],
    ['stop', oneStream(`${ARGS}\nstop: {killGrace: 1s}`), ['streams[0].stop.killGrace: unknown key']],
    ['input', oneStream('inputs: [{url: x, opts: []}]\noutput: y'), ['streams[0].inputs[0].opts: unknown key']],
    ['check', oneStream(`${ARGS}\nchecks: [{type: progress, url: x}]`), ['streams[0].checks[0].url: unknown key']],
    ['degraded rule', oneStream(`${ARGS}\nchecks: [{type: progress, degraded: {bitrate: {min: 5}}}]`), ['streams[0].checks[0].degraded.bitrate.min: unknown key']],
    ['failover', oneStream('inputs: [a, b]\noutput: y\nfailover: {mode: rotate, back: 1s}'), ['streams[0].failover.back: unknown key']],
    ['check of another type', oneStream(`${ARGS}\nchecks: [{type: http, url: "http://x", minBitrateKbps: 5}]`), ['streams[0].checks[0].minBitrateKbps: unknown key']],
    ['ffprobe expect', oneStream(`${ARGS}\nchecks: [{type: ffprobe, url: x, expect: {subtitles: true}}]`), ['streams[0].checks[0].expect.subtitles: unknown key']],
    ['rtmp server', 'rtmpServers: [{id: a, type: srs, apiUrl: "http://x", statUrl: "http://x"}]\n', ['rtmpServers[0].statUrl: unknown key']],
    ['notifier', 'notifiers: [{id: a, type: discord, url: "https://x", chatId: 1}]\n', ['notifiers[0].chatId: unknown key']],
    ['odd key', '"two words": 1\n', ['["two words"]: unknown key']],
  ])('unknown keys: %s', (_name, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it.each([
    ['startTimeout: 30', 'streams[0].startTimeout'],
    ['stallTimeout: 10 s', 'streams[0].stallTimeout'],
    ['stallTimeout: -1s', 'streams[0].stallTimeout'],
    ['restart: {backoffInitial: 1sec}', 'streams[0].restart.backoffInitial'],
    ['restart: {resetAfter: ""}', 'streams[0].restart.resetAfter'],
    ['restart: {budget: {within: 10}}', 'streams[0].restart.budget.within'],
    ['stop: {interruptGrace: true}', 'streams[0].stop.interruptGrace'],
    ['checks: [{type: progress, timeout: 1y}]', 'streams[0].checks[0].timeout'],
    ['checks: [{type: process, for: [1s]}]', 'streams[0].checks[0].for'],
    ['checks: [{type: content, duration: 5}]', 'streams[0].checks[0].duration'],
  ])('bad duration %s', (field, path) => {
    expect(issuesOf(oneStream(`${ARGS}\n${field}`))).toEqual([`${path}: expected a duration like "30s"`]);
  });

  it.each([
    ['zero interval', 'checks: [{type: progress, interval: 0s}]', ['streams[0].checks[0].interval: must be longer than 0']],
    ['backoff order', 'restart: {backoffInitial: 2m}', ['streams[0].restart.backoffInitial: backoffInitial (120000 ms) must not exceed backoffMax (60000 ms)']],
    ['jitter range', 'restart: {jitter: 1.5}', ['streams[0].restart.jitter: must be at most 1']],
    ['whole restarts', 'restart: {budget: {restarts: 2.5}}', ['streams[0].restart.budget.restarts: expected a whole number, got 2.5']],
    ['desired', 'desired: paused', ['streams[0].desired: expected one of running | stopped, got "paused"']],
    ['action', 'onUnhealthy: [reboot]', ['streams[0].onUnhealthy[0]: expected one of restart | drop-publisher | next-input | notify, got "reboot"']],
    ['repeated action', 'onUnhealthy: [restart, restart]', ['streams[0].onUnhealthy[1]: restart is listed twice']],
    ['next-input on args', 'onUnhealthy: [next-input]', ['streams[0].onUnhealthy[0]: next-input needs inputs (this stream uses args)']],
    ['failover on args', 'failover: rotate', ['streams[0].failover: failover needs inputs (this stream uses args)']],
    ['failover mode', 'failover: shuffle', ['streams[0].failover.mode: expected one of priority | rotate, got "shuffle"', 'streams[0].failover: failover needs inputs (this stream uses args)']],
    ['degraded ratio', 'checks: [{type: progress, degraded: {fps: {minRatio: 2}}}]', ['streams[0].checks[0].degraded.fps.minRatio: must be at most 1']],
    ['check type', 'checks: [{type: ping}]', ['streams[0].checks[0].type: expected one of progress | process | ffprobe | http | rtmp-server | content, got "ping"']],
    ['check without type', 'checks: [{url: x}]', ['streams[0].checks[0].type: is required: one of progress | process | ffprobe | http | rtmp-server | content']],
    ['ffprobe url', 'checks: [{type: ffprobe}]', ['streams[0].checks[0].url: is required']],
    ['http url', 'checks: [{type: http, url: "ftp://x"}]', ['streams[0].checks[0].url: expected an http:// or https:// URL']],
    ['http status', 'checks: [{type: http, url: "http://x", status: 700}]', ['streams[0].checks[0].status: must be at most 599']],
    ['rss size', 'checks: [{type: process, maxRss: lots}]', ['streams[0].checks[0].maxRss: expected a size like "512MiB" or a number of bytes']],
    ['rtmp-server check', 'checks: [{type: rtmp-server}]', ['streams[0].checks[0]: an rtmp-server check needs rtmpServer on this stream']],
    ['content every + interval', 'checks: [{type: content, every: 1m, interval: 1m}]', ['streams[0].checks[0].every: give either every or interval, not both']],
    ['content timeout', 'checks: [{type: content, duration: 40s}]', ['streams[0].checks[0].timeout: must be longer than the sample duration']],
    ['content nothing', 'checks: [{type: content, black: false, freeze: false, silence: false}]', ['streams[0].checks[0]: enable at least one of black, freeze, silence']],
    [
      'check names',
      'checks: [{type: http, url: "http://a"}, {type: http, url: "http://b"}]',
      ['streams[0].checks[1].name: duplicate check name "http" (also checks[0]); give each check a unique name'],
    ],
  ])('stream field: %s', (_name, field, expected) => {
    expect(issuesOf(oneStream(`${ARGS}\n${field}`))).toEqual(expected);
  });

  it.each([
    ['both', `${ARGS}\ninputs: [x]\noutput: y`, ['streams[0]: give either args or inputs + output, not both (found args and inputs, output)']],
    ['neither', 'name: nothing', ['streams[0]: give either args (raw ffmpeg arguments) or inputs + output']],
    ['inputs without output', 'inputs: [x]', ['streams[0].output: is required with inputs']],
    ['output without inputs', 'output: y\nencode: [-c, copy]', ['streams[0].inputs: is required with output and encode']],
    ['empty args', 'args: []', ['streams[0].args: must not be empty']],
    ['the binary in args', 'args: [/usr/bin/ffmpeg, -i, x]', ['streams[0].args[0]: args are the arguments to ffmpeg, without the binary: remove it']],
    ['an input that is not a URL', 'inputs: [5]\noutput: y', ['streams[0].inputs[0]: expected a URL or {url, options}']],
  ])('args vs inputs: %s', (_name, fields, expected) => {
    expect(issuesOf(oneStream(fields))).toEqual(expected);
  });

  it.each([
    ['rtmpServer', `${ARGS}\nrtmpServer: remote`, ['streams[0].rtmpServer: no rtmpServer with id "remote" (configured: local)']],
    ['notifier', `${ARGS}\nnotify: [ops, pager]`, ['streams[0].notify[1]: no notifier with id "pager" (configured: ops)']],
  ])('unknown reference: %s', (_name, fields, expected) => {
    const head = 'rtmpServers: [{id: local, type: mediamtx, apiUrl: "http://127.0.0.1:9997"}]\nnotifiers: [{id: ops, type: webhook, url: "http://127.0.0.1:9093"}]\n';
    expect(issuesOf(oneStream(fields, head))).toEqual(expected);
  });

  it('reports duplicate ids in every list', () => {
    const text = [
      'rtmpServers:',
      '  - {id: a, type: srs, apiUrl: "http://x"}',
      '  - {id: a, type: mediamtx, apiUrl: "http://y"}',
      'notifiers:',
      '  - {id: n, type: slack, url: "https://x"}',
      '  - {id: n, type: telegram, botToken: t, chatId: -100123}',
      'streams:',
      `  - {id: s, ${ARGS}}`,
      `  - {id: t, ${ARGS}}`,
      `  - {id: s, ${ARGS}}`,
    ].join('\n');
    expect(issuesOf(text)).toEqual([
      'rtmpServers[1].id: duplicate id "a" (also rtmpServers[0])',
      'notifiers[1].id: duplicate id "n" (also notifiers[0])',
      'streams[2].id: duplicate id "s" (also streams[0])',
    ]);
  });

  it.each(['Radio', '-radio', '_x', 'a b', 'a.b', 'é', 'a'.repeat(64), ''])('rejects the id %j', (badId) => {
    expect(issuesOf(`streams: [{id: ${JSON.stringify(badId)}, ${ARGS}}]`)).toEqual([
      'streams[0].id: expected an id of lowercase letters, digits, "-" and "_", starting with a letter or digit (at most 63)',
    ]);
  });

  it.each(['a', '0', 'cam_1-main', 'a'.repeat(63)])('accepts the id %j', (goodId) => {
    expect(loadConfigText(`streams: [{id: "${goodId}", ${ARGS}}]`, {}).streams[0]?.id).toBe(goodId);
  });

  it.each([
    ['nginx-rtmp needs both URLs', 'rtmpServers: [{id: a, type: nginx-rtmp}]', ['rtmpServers[0].statUrl: is required', 'rtmpServers[0].controlUrl: is required']],
    ['srs needs apiUrl', 'rtmpServers: [{id: a, type: srs}]', ['rtmpServers[0].apiUrl: is required']],
    ['mediamtx needs apiUrl', 'rtmpServers: [{id: a, type: mediamtx, apiUrl: "not a url"}]', ['rtmpServers[0].apiUrl: expected an http:// or https:// URL']],
    ['unknown server type', 'rtmpServers: [{id: a, type: wowza}]', ['rtmpServers[0].type: expected one of nginx-rtmp | srs | mediamtx, got "wowza"']],
    ['discord needs url', 'notifiers: [{id: a, type: discord}]', ['notifiers[0].url: is required']],
    ['telegram needs token and chat', 'notifiers: [{id: a, type: telegram}]', ['notifiers[0].botToken: is required', 'notifiers[0].chatId: is required']],
    ['severity', 'notifiers: [{id: a, type: slack, url: "https://x", minSeverity: debug}]', ['notifiers[0].minSeverity: expected one of info | warning | critical, got "debug"']],
    ['listen port', 'server: {listen: "127.0.0.1:70000"}', ['server.listen: expected "host:port" like "127.0.0.1:8787"']],
    ['empty token', 'server: {token: ""}', ['server.token: must not be empty']],
    ['root is a list', '- a', ['(root): expected a mapping with server, storage, controller, ffmpeg, rtmpServers, notifiers, alerts, maintenance, engines, enginePolling and streams']],
    ['streams is not a list', 'streams: {id: a}', ['streams: expected a list, got a mapping']],
  ])('sections: %s', (_name, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('resolves notifiers and rtmpServers of every type', () => {
    const text = [
      'rtmpServers: [{id: s, type: srs, apiUrl: "http://127.0.0.1:1985"}]',
      'notifiers:',
      '  - {id: t, type: telegram, botToken: "123:abc", chatId: -1001234567890, minSeverity: critical}',
      '  - {id: w, type: webhook, url: "http://127.0.0.1:9093/hook"}',
    ].join('\n');
    const config = loadConfigText(text, {});
    expect(config.rtmpServers).toEqual([{ id: 's', type: 'srs', apiUrl: 'http://127.0.0.1:1985' }]);
    expect(config.notifiers).toEqual([
      { id: 't', type: 'telegram', botToken: '123:abc', chatId: '-1001234567890', minSeverity: 'critical', global: true },
      { id: 'w', type: 'webhook', url: 'http://127.0.0.1:9093/hook', minSeverity: 'info', global: true },
    ]);
    expect(config.secrets).toEqual(['123:abc', 'http://127.0.0.1:9093/hook']);
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

describe('YAML syntax', () => {
  it.each([
    ['an unclosed list', 'streams: [a, b\nserver: {}\n', /^\(root\): YAML syntax error at line 2, column 1: /],
    ['a duplicate key', 'server: {}\nserver: {}\n', /^\(root\): YAML syntax error at line 2, column 1: Map keys must be unique$/],
    ['a tab indent', 'server:\n\tlisten: x\n', /^\(root\): YAML syntax error at line 2, column 1: /],
    ['an unknown alias', 'server: *nowhere\n', /^\(root\): .*nowhere/],
  ])('%s is reported with its position', (_name, text, pattern) => {
    const issues = issuesOf(text);
    expect(issues[0]).toMatch(pattern);
  });

  it('keeps a cascade of parser errors short and explains unquoted variables in flow style', () => {
    const issues = issuesOf('server: {token: ${T}, listen: "x"}\nstreams:\n  - a\n  - b\n  - c\n  - d\n  - e\n  - f\n');
    expect(issues.length).toBeLessThanOrEqual(6);
    expect(issues[0]).toMatch(/^\(root\): YAML syntax error at line 1, column \d+: .*quote values that use variables: "\$\{VAR\}"/);
  });
});

describe('environment variables', () => {
  it.each([
    ['plain', 'a-${V}-b', { V: 'x' }, 'a-x-b'],
    ['several', '${A}${B}', { A: '1', B: '2' }, '12'],
    ['default when unset', '${V:-fallback}', {}, 'fallback'],
    ['default when empty', '${V:-fallback}', { V: '' }, 'fallback'],
    ['default with punctuation', '${V:-http://h:1/x?a=b}', {}, 'http://h:1/x?a=b'],
    ['value wins over default', '${V:-fallback}', { V: 'set' }, 'set'],
    ['escape', '$${V} and $${', { V: 'x' }, '${V} and ${'],
    ['a lone dollar', 'cost $5 $V', {}, 'cost $5 $V'],
    ['no YAML injection', '${V}', { V: 'x\nargs: [evil]\n' }, 'x\nargs: [evil]\n'],
  ])('%s', (_name, value, env: Env, expected) => {
    const config = loadConfigText(`storage: {path: ${JSON.stringify(value)}}`, env);
    expect(config.storage.path).toBe(expected);
  });

  it('substitutes in lists and leaves keys and numbers alone', () => {
    const text = oneStream('args: ["-i", "${IN}", "-t", 5]\nrestart: {budget: {restarts: 3}}');
    expect(issuesOf(text, { IN: 'x' })).toEqual(['streams[0].args[3]: expected a string, got 5']);
    const ok = loadConfigText(oneStream('args: ["-i", "${IN}"]'), { IN: 'in.mp4' });
    expect(ok.streams[0]?.source).toEqual({ kind: 'args', args: ['-i', 'in.mp4'] });
    expect(issuesOf('${KEY}: 1', { KEY: 'server' })).toEqual(['["${KEY}"]: unknown key']);
  });

  it('an empty optional value counts as absent', () => {
    const config = loadConfigText('server:\n  token: ${STREAMWARDEN_TOKEN:-}\n', {});
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(config.server).not.toHaveProperty('token');
  });

  it('an empty required value says which variable emptied it', () => {
    expect(issuesOf('notifiers: [{id: a, type: slack, url: "${SLACK_URL:-}"}]')).toEqual([
      'notifiers[0].url: is required (empty after substituting SLACK_URL)',
    ]);
  });

  it('reports every unset variable, also several in one value', () => {
    expect(issuesOf(oneStream('inputs: ["${A}/${B}"]\noutput: "${C:-out.flv}"\nname: "${D}"'))).toEqual([
      'streams[0].inputs[0]: environment variable A is not set',
      'streams[0].inputs[0]: environment variable B is not set',
      'streams[0].name: environment variable D is not set',
    ]);
  });

  it.each([
    ['unclosed', 'x ${V', 'storage.path: "${" is not closed by "}" (write $${ for a literal "${")'],
    ['bad name', '${1V}', 'storage.path: invalid variable reference "${1V}" (write $${ for a literal "${")'],
    ['bad operator', '${V:=x}', 'storage.path: invalid variable reference "${V:=x}" (write $${ for a literal "${")'],
  ])('a malformed reference: %s', (_name, value, expected) => {
    expect(issuesOf(`storage: {path: ${JSON.stringify(value)}}`, { V: 'x' })).toEqual([expected]);
  });
});

describe('secrets', () => {
  it('collects values of secret-looking variables and secret fields, once each', () => {
    const env = {
      STREAM_KEY: 'k1',
      api_token: 't1',
      MY_SECRET: 's1',
      DB_PASSWORD: 'p1',
      BASIC_AUTH: 'a1',
      SLACK_WEBHOOK: 'https://hooks.slack.com/services/T/B/X',
      HOST: '127.0.0.1',
      EMPTY_KEY: '',
    };
    const text = [
      'server: {token: literal-token}',
      'notifiers: [{id: a, type: slack, url: "${SLACK_WEBHOOK}"}]',
      `storage: {path: "\${HOST}/\${STREAM_KEY}/\${api_token}/\${MY_SECRET}/\${DB_PASSWORD}/\${BASIC_AUTH}/\${EMPTY_KEY}/\${STREAM_KEY}"}`,
    ].join('\n');
    const config = loadConfigText(text, env);
    expect(config.secrets).toEqual(['https://hooks.slack.com/services/T/B/X', 'k1', 't1', 's1', 'p1', 'a1', 'literal-token']);
  });

  it('masks secret values quoted in error messages', () => {
    const issues = issuesOf(oneStream(`${ARGS}\nrtmpServer: "\${RTMP_KEY}"`), { RTMP_KEY: 'hunter2' });
    expect(issues).toEqual(['streams[0].rtmpServer: no rtmpServer with id "***" (no rtmpServers are configured)']);
  });
});

describe('loadConfigFile', () => {
  it('names a file that cannot be read', async () => {
    const error = await loadConfigFile('/nonexistent/streamwarden.yaml', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual(['(root): cannot read config file "/nonexistent/streamwarden.yaml": no such file']);
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
