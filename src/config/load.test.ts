import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/errors.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY } from '../domain/stream-spec.js';
import type { Env } from './env.js';
import { loadConfigFile, loadConfigText } from './load.js';
import { ARGS, issuesOf, oneStream } from '../../test/helpers/config-text.js';

const DESIGN_EXAMPLE = fileURLToPath(new URL('../../test/fixtures/config/design-example.yaml', import.meta.url));
const DESIGN_ENV = {
  STREAMWARDEN_TOKEN: 'tok-123',
  DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/hook-secret',
  RADIO_KEY: 'radio-key-9',
};

describe('the DESIGN.md §4.2 example', () => {
  it('loads and resolves', async () => {
    const config = await loadConfigFile(DESIGN_EXAMPLE, DESIGN_ENV);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787, token: 'tok-123', readinessFailsOnCrashloop: true });
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
      server: { host: '127.0.0.1', port: 8787, readinessFailsOnCrashloop: true },
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

  it('dropPublisher: a bare target or {target}, kept on the spec', () => {
    const yaml = (value: string) =>
      `rtmpServers: [{id: local, type: nginx-rtmp, statUrl: "http://127.0.0.1:8080/stat", controlUrl: "http://127.0.0.1:8080/control"}]\n${oneStream(`${ARGS}\nrtmpServer: local\nonUnhealthy: [notify, drop-publisher]\ndropPublisher: ${value}`)}`;
    expect(loadConfigText(yaml('input'), {}).streams[0]?.dropPublisher).toEqual({ target: 'input' });
    expect(loadConfigText(yaml('{target: output}'), {}).streams[0]?.dropPublisher).toEqual({ target: 'output' });
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
    expect(config.server).toEqual({ host: '::1', port: 0, readinessFailsOnCrashloop: true });
    expect(loadConfigText('server: {readiness: {failOnCrashloop: false}}\n', {}).server.readinessFailsOnCrashloop).toBe(false);
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
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787, readinessFailsOnCrashloop: true });
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
