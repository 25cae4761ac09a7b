/**
 * Config hot reload end to end: a temp config file → the file source (real fs.watch) → a SQLite
 * store → the reconciler → a real Supervisor running the fake ffmpeg.
 *
 * - editing one stream (the way editors save: write a temp file, rename it over) restarts only
 *   that stream; the others keep their pids;
 * - a broken edit is rejected with its errors and nothing changes;
 * - `reload()` (what the daemon calls on SIGHUP) applies an edit without any watching.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { loadConfigText } from '../../src/config/load.js';
import { Reconciler, storeDesired } from '../../src/reconcile/reconciler.js';
import { supervisorTarget } from '../../src/app/supervisor-target.js';
import { FileSource } from '../../src/sources/file-source.js';
import { FAKE_CAPABILITIES, FAKE_FFMPEG, silentLogger, startHarness, type Harness } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';

function streamYaml(id: string, extra = ''): string {
  const args = ['-stats_period', '0.2', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}-key`];
  return `  - id: ${id}\n    args: ${JSON.stringify(args)}\n    startTimeout: 5s\n    stop: { interruptGrace: 1s, terminateGrace: 1s }\n${extra}`;
}

const configYaml = (...streams: string[]): string => `streams:\n${streams.join('')}`;

let dir: string | undefined;
let parts: { h: Harness; store: SqliteStore; reconciler: Reconciler; sources: FileSource[] } | undefined;

afterEach(async () => {
  if (parts) {
    for (const source of parts.sources) await source.close();
    await parts.reconciler.close();
    await parts.h.close();
    await parts.store.close();
  }
  parts = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startAll(text: string, watch: boolean) {
  dir = mkdtempSync(join(tmpdir(), 'streamwarden-file-source-it-'));
  const path = join(dir, 'streamwarden.yaml');
  writeFileSync(path, text);
  const h = startHarness('streams: []\n', { ffmpegPath: FAKE_FFMPEG, capabilities: FAKE_CAPABILITIES });
  const store = await openSqliteStore({ path: join(dir, 'state.db'), clock: systemClock });
  const reconciler = new Reconciler({
    target: supervisorTarget(h.supervisor),
    readDesired: storeDesired(store),
    clock: systemClock,
    logger: silentLogger,
    ready: Promise.resolve(),
    debounceMs: 50,
  });
  const source = new FileSource({
    path,
    env: {},
    store,
    clock: systemClock,
    logger: silentLogger,
    onChange: (reason) => reconciler.trigger(reason),
    debounceMs: 100,
    ...(watch ? {} : { watch: false as const }),
  });
  parts = { h, store, reconciler, sources: [source] };
  await source.applyConfig(loadConfigText(text, {}));
  source.start();
  reconciler.start();
  return { path, h, store, reconciler, source };
}

function pidsOf(h: Harness): Map<string, number | undefined> {
  return new Map(h.supervisor.list().map((s) => [s.spec.id, s.status().pid]));
}

async function waitAllRunning(h: Harness, ids: readonly string[], description: string): Promise<Map<string, number>> {
  return waitFor(
    () => {
      const streams = h.supervisor.list();
      if (streams.map((s) => s.spec.id).join() !== ids.join()) return undefined;
      const pids = new Map<string, number>();
      for (const stream of streams) {
        const { state, pid } = stream.status();
        if (state !== 'running' || pid === undefined) return undefined;
        pids.set(stream.spec.id, pid);
      }
      return pids;
    },
    { description, timeoutMs: 15_000 },
  );
}

describe('config file hot reload (file source → store → reconciler → supervisor)', () => {
  it('an edit of one stream restarts only it; a broken edit is rejected and changes nothing', async () => {
    const { path, h, store, reconciler, source } = await startAll(configYaml(streamYaml('a'), streamYaml('b'), streamYaml('c')), true);
    const before = await waitAllRunning(h, ['a', 'b', 'c'], 'a, b and c to be running');

    // An editor's save: a new file renamed over the old one.
    const temp = `${path}.swp`;
    writeFileSync(temp, configYaml(streamYaml('a'), streamYaml('b', '    stallTimeout: 20s\n'), streamYaml('c')));
    renameSync(temp, path);
    const edited = await waitFor(
      () => {
        const b = h.supervisor.get('b');
        const { state, pid } = b.status();
        return b.spec.stallTimeoutMs === 20_000 && state === 'running' && pid !== before.get('b') ? pidsOf(h) : undefined;
      },
      { description: 'b to restart with its new spec', timeoutMs: 15_000 },
    );
    expect(edited.get('a')).toBe(before.get('a'));
    expect(edited.get('c')).toBe(before.get('c'));
    expect(h.events('run-finished').map((r) => `${r.streamId}:${r.reason}`)).toEqual(['b:stopped']);

    // A broken edit, written in place: rejected with its errors, nothing changes.
    const generations = (await store.listStreams()).map((s) => [s.id, s.generation]);
    writeFileSync(path, configYaml(streamYaml('a', '    stallTimeout: whenever\n'), streamYaml('c', '    colour: red\n')));
    const issues = await waitFor(() => source.status().rejectedIssues, { description: 'the broken file to be rejected', timeoutMs: 10_000 });
    expect(issues).toEqual([expect.stringMatching(/^streams\[0\]\.stallTimeout: /), 'streams[1].colour: unknown key']);
    expect((await store.listStreams()).map((s) => [s.id, s.generation])).toEqual(generations);
    expect((await reconciler.reconcileNow())?.launched).toEqual([]);
    expect(pidsOf(h)).toEqual(edited);

    // Fixed again: the file is applied, still nothing restarts (the specs are the same as before).
    writeFileSync(path, configYaml(streamYaml('a'), streamYaml('b', '    stallTimeout: 20s\n'), streamYaml('c')));
    await waitFor(() => source.status().rejectedIssues === undefined, { description: 'the fixed file to be applied', timeoutMs: 10_000 });
    expect((await reconciler.reconcileNow())?.launched).toEqual([]);
    expect(pidsOf(h)).toEqual(edited);
    expect(h.events('run-finished')).toHaveLength(1);
  });

  it('reload() (SIGHUP) applies an edit without watching: a removed stream stops, a new one starts, the rest keep their pids', async () => {
    const { path, h, source } = await startAll(configYaml(streamYaml('a'), streamYaml('b')), false);
    const before = await waitAllRunning(h, ['a', 'b'], 'a and b to be running');
    writeFileSync(path, configYaml(streamYaml('a'), streamYaml('c')));
    const outcome = await source.reload('SIGHUP');
    expect(outcome).toMatchObject({ status: 'applied', report: { created: ['c'], removed: ['b'], unchanged: ['a'] } });
    const after = await waitAllRunning(h, ['a', 'c'], 'a and c to be running, b gone');
    expect(after.get('a')).toBe(before.get('a'));
  });
});
