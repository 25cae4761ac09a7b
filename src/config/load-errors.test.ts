import { describe, expect, it } from 'vitest';
import { loadConfigText } from './load.js';
import { ARGS, issuesOf, oneStream } from '../../test/helpers/config-text.js';

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
    ['drop target', 'dropPublisher: upstream\nonUnhealthy: [notify]', ['streams[0].dropPublisher.target: expected one of auto | check | input | output, got "upstream"', 'streams[0].dropPublisher: dropPublisher sets the target of drop-publisher, which onUnhealthy does not list']],
    ['drop target key', 'dropPublisher: {side: input}', ['streams[0].dropPublisher.target: is required: one of auto | check | input | output', 'streams[0].dropPublisher: dropPublisher sets the target of drop-publisher, which onUnhealthy does not list', 'streams[0].dropPublisher.side: unknown key']],
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
    ['readiness option', 'server: {readiness: {failOnCrashloop: "no"}}', ['server.readiness.failOnCrashloop: expected true or false, got a string']],
    ['readiness typo', 'server: {readiness: {failOnCrashLoop: false}}', ['server.readiness.failOnCrashLoop: unknown key (did you mean "failOnCrashloop"?)']],
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
