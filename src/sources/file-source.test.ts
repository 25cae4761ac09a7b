import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../test/contract/store-fixtures.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { openSqliteStore, type SqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { loadConfigText } from '../config/load.js';
import type { Logger } from '../ports/logger.js';
import { FileSource, type FileSourceOptions, type WatchFn } from './file-source.js';
import { upsertOwned } from './owned-streams.js';

interface Logged {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

function recordingLogger(logged: Logged[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => logged.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}

/** A watch function whose events the test fires by hand. */
class FakeWatch {
  readonly watched: string[] = [];
  readonly listeners = new Map<string, Array<(filename: string | null) => void>>();
  closed = 0;

  readonly fn: WatchFn = (path, onEvent) => {
    this.watched.push(path);
    const list = this.listeners.get(path) ?? [];
    list.push(onEvent);
    this.listeners.set(path, list);
    return {
      close: () => {
        this.closed++;
        const current = this.listeners.get(path) ?? [];
        this.listeners.set(path, current.filter((l) => l !== onEvent));
      },
    };
  };

  fire(path: string, filename: string | null): void {
    for (const listener of this.listeners.get(path) ?? []) listener(filename);
  }
}

function streamYaml(id: string, extra = ''): string {
  return `  - id: ${id}\n    args: [-re, -f, lavfi, -i, testsrc2, -f, flv, "rtmp://127.0.0.1:1/live/${id}"]\n${extra}`;
}

function configYaml(streams: string[], header = ''): string {
  return `${header}streams:\n${streams.join('')}`;
}

let dir: string;
let path: string;
let store: SqliteStore;
let clock: FakeClock;
let logged: Logged[];
let changes: string[];
let watch: FakeWatch;
let source: FileSource | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'streamwarden-file-source-'));
  path = join(dir, 'streamwarden.yaml');
  clock = new FakeClock(T0);
  store = await openSqliteStore({ path: join(dir, 'state.db'), clock });
  logged = [];
  changes = [];
  watch = new FakeWatch();
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function makeSource(options: Partial<FileSourceOptions> = {}): FileSource {
  source = new FileSource({
    path,
    env: {},
    store,
    clock,
    logger: recordingLogger(logged),
    onChange: (reason) => changes.push(reason),
    watch: watch.fn,
    ...options,
  });
  return source;
}

async function generations(): Promise<Record<string, number>> {
  return Object.fromEntries((await store.listStreams()).map((s) => [s.id, s.generation]));
}

describe('FileSource', () => {
  it('applies the startup config, then a reload updates only the changed stream and deletes a removed one', async () => {
    const text = configYaml([streamYaml('a'), streamYaml('b'), streamYaml('c')]);
    writeFileSync(path, text);
    const s = makeSource();
    expect((await s.applyConfig(loadConfigText(text, {}))).status).toBe('applied');
    expect(changes).toEqual(['file:startup']);
    const before = await generations();

    writeFileSync(path, configYaml([streamYaml('a'), streamYaml('b', '    stallTimeout: 20s\n'), streamYaml('d')]));
    const outcome = await s.reload('SIGHUP');
    expect(outcome).toMatchObject({ status: 'applied', report: { created: ['d'], updated: ['b'], unchanged: ['a'], removed: ['c'] } });
    const after = await generations();
    expect(after.a).toBe(before.a);
    expect(after.b).toBeGreaterThan(before.b ?? 0);
    expect(Object.keys(after)).toEqual(['a', 'b', 'd']);
    expect((await store.getStream('b'))?.spec.stallTimeoutMs).toBe(20_000);
    expect((await store.getStream('d'))?.owner).toBe('file');
    expect(changes).toEqual(['file:startup', 'file:SIGHUP']);
  });

  it('a desired-state edit starts or stops without touching the spec', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource();
    await s.reload();
    writeFileSync(path, configYaml([streamYaml('a', '    desired: stopped\n')]));
    expect(await s.reload()).toMatchObject({ status: 'applied', report: { desiredChanged: ['a'] } });
    expect((await store.getStream('a'))?.desired).toBe('stopped');
  });

  it('rejects a broken file with every problem logged, and changes nothing', async () => {
    writeFileSync(path, configYaml([streamYaml('a'), streamYaml('b')]));
    const s = makeSource();
    await s.reload();
    const before = await generations();
    changes.length = 0;

    // Three problems at once: a bad duration, an unknown key, and a removed stream that must not be deleted.
    writeFileSync(path, configYaml([streamYaml('a', '    stallTimeout: soon\n    colour: red\n')]));
    const outcome = await s.reload();
    expect(outcome.status).toBe('rejected');
    const issues = outcome.status === 'rejected' ? outcome.issues : [];
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^streams\[0\]\.stallTimeout: /);
    expect(issues[1]).toMatch(/^streams\[0\]\.colour: unknown key/);
    expect(await generations()).toEqual(before);
    expect(changes).toEqual([]);
    const error = logged.find((l) => l.level === 'error');
    expect(error?.obj.issues).toEqual(issues);
    expect(error?.msg).toContain('nothing changed');
    expect(s.status().rejectedIssues).toEqual(issues);

    writeFileSync(path, '\n  \n');
    expect(await s.reload()).toEqual({ status: 'rejected', issues: ['(root): the file is empty; to remove every stream write "streams: []"'] });
    writeFileSync(path, '{ streams: [ oops');
    expect((await s.reload()).status).toBe('rejected');
    rmSync(path);
    const missing = await s.reload();
    expect(missing.status === 'rejected' && missing.issues).toEqual([`(root): cannot read config file ${JSON.stringify(path)}: no such file`]);
    expect(await generations()).toEqual(before);
  });

  it('"streams: []" removes every file stream (an empty file does not)', async () => {
    writeFileSync(path, configYaml([streamYaml('a'), streamYaml('b')]));
    const s = makeSource();
    await s.reload();
    writeFileSync(path, 'streams: []\n');
    expect(await s.reload()).toMatchObject({ status: 'applied', report: { removed: ['a', 'b'] } });
    expect(await generations()).toEqual({});
  });

  it('watches the file and its folder, debounces a burst into one reload, and re-arms the file watcher', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource({ debounceMs: 300 });
    s.start();
    expect(watch.watched).toEqual([dir, path]);

    writeFileSync(path, configYaml([streamYaml('a'), streamYaml('b')]));
    watch.fire(path, 'streamwarden.yaml');
    clock.advance(200);
    watch.fire(dir, 'streamwarden.yaml');
    watch.fire(dir, 'other-file.txt');
    clock.advance(299);
    await s.idle();
    expect(await generations()).toEqual({});
    clock.advance(1);
    await s.idle();
    expect(Object.keys(await generations())).toEqual(['a', 'b']);
    expect(changes).toEqual(['file:watch']);
    // The file watcher was replaced (an editor may have renamed a new file over the old one).
    expect(watch.watched).toEqual([dir, path, path]);
    expect(s.status().watching).toBe(true);

    // Events from an unrelated file in the folder are ignored.
    watch.fire(dir, 'other-file.txt');
    clock.advance(1_000);
    await s.idle();
    expect(watch.watched).toHaveLength(3);
  });

  it('ignores a watch event when the text did not change; reload() always re-applies', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource({ debounceMs: 10 });
    s.start();
    watch.fire(dir, null);
    clock.advance(10);
    await s.idle();
    expect(logged.filter((l) => l.msg === 'config file applied')).toHaveLength(1);

    watch.fire(path, null);
    clock.advance(10);
    await s.idle();
    expect(logged.filter((l) => l.msg === 'config file applied')).toHaveLength(1);

    expect((await s.reload()).status).toBe('applied');
    expect(logged.filter((l) => l.msg === 'config file applied')).toHaveLength(2);
  });

  it('refuses a stream another source owns, naming the owner, and applies the others', async () => {
    await upsertOwned(store, 'api', loadConfigText(configYaml([streamYaml('taken')]), {}).streams[0] ?? expect.fail('no stream'));
    writeFileSync(path, configYaml([streamYaml('taken', '    name: from the file\n'), streamYaml('mine')]));
    const s = makeSource();
    const outcome = await s.reload();
    expect(outcome).toMatchObject({ status: 'applied', report: { created: ['mine'], refused: [{ id: 'taken', owner: 'api' }] } });
    expect(logged.some((l) => l.level === 'error' && l.msg.includes('stream "taken" is owned by api; file may not change it'))).toBe(true);
    expect((await store.getStream('taken'))?.owner).toBe('api');
  });

  it('warns that sections other than streams need a restart', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource();
    await s.reload();
    writeFileSync(path, configYaml([streamYaml('a')], 'server:\n  listen: 127.0.0.1:9999\n'));
    expect((await s.reload()).status).toBe('applied');
    expect(logged.find((l) => l.level === 'warn')?.msg).toContain('changes to server take effect after a restart');
  });

  it('hands the engines of every applied file to onEngines (no restart warning for them); a broken file hands nothing', async () => {
    const engines = (ids: string[]) => `engines:\n${ids.map((id, i) => `  - {id: ${id}, host: 127.0.0.1, port: ${6878 + i}}\n`).join('')}`;
    const applied: string[][] = [];
    writeFileSync(path, configYaml([streamYaml('a')], engines(['e1'])));
    const s = makeSource({ onEngines: (list) => applied.push(list.map((e) => e.id)) });
    await s.reload();
    writeFileSync(path, configYaml([streamYaml('a')], engines(['e1', 'e2'])));
    expect((await s.reload()).status).toBe('applied');
    writeFileSync(path, configYaml([streamYaml('a')], `${engines(['e2'])}  - {id: BAD}\n`));
    expect((await s.reload()).status).toBe('rejected');
    expect(applied).toEqual([['e1'], ['e1', 'e2']]);
    expect(logged.filter((l) => l.level === 'warn' && l.msg.includes('take effect after a restart'))).toEqual([]);
  });

  it('reports a store failure, leaves the streams alone and retries later', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource({ retryMs: 5_000 });
    await store.close();
    const outcome = await s.reload();
    expect(outcome.status === 'failed' && outcome.error).toMatch(/unavailable/);
    expect(s.status().lastError).toContain('unavailable');
    expect(changes).toEqual([]);
    expect(clock.armed).toBe(1);
    clock.advance(5_000);
    await s.idle();
    expect(logged.filter((l) => l.level === 'error' && l.msg.startsWith('cannot write'))).toHaveLength(2);
  });

  it('with watch: false, start() watches nothing and reload() still works', async () => {
    writeFileSync(path, configYaml([streamYaml('a')]));
    const s = makeSource({ watch: false });
    s.start();
    expect(s.status().watching).toBe(false);
    expect((await s.reload()).status).toBe('applied');
  });
});
