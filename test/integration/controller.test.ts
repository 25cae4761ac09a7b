/**
 * The edge flow end to end: the reference controller (real HTTP + SSE on 127.0.0.1) → the
 * controller source → a SQLite store → the reconciler → a real Supervisor running the fake ffmpeg.
 *
 * - snapshot → streams start;
 * - the network is cut (the controller drops every connection and refuses new ones) for a while →
 *   every stream keeps running with the SAME pid; while cut, the controller's desired set changes;
 * - on reconnect the new snapshot is applied as stop one / start one / keep the rest (kept streams
 *   keep their pids);
 * - malformed events are skipped without a reconnect.
 *
 * The cut runs twice: 5 s (the flow in detail) and 20 s (the issue's figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { startReferenceController, type ReferenceController } from '../../src/controller/reference-controller.js';
import { createRedactor } from '../../src/domain/redact.js';
import { Reconciler, storeDesired } from '../../src/reconcile/reconciler.js';
import { supervisorTarget } from '../../src/app/supervisor-target.js';
import { ControllerSource } from '../../src/sources/controller-source.js';
import { processAlive } from '../helpers/proc.js';
import { FAKE_CAPABILITIES, FAKE_FFMPEG, startHarness, type Harness } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { recordingLogger, type Logged } from '../fakes/recording-logger.js';

/** A controller stream entry running the fake ffmpeg (progress every 0.2 s, quick to stop). */
const entry = (id: string) => ({
  id,
  args: ['-stats_period', '0.2', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'flv', `rtmp://127.0.0.1:1/live/${id}-key`],
  startTimeout: '5s',
  stop: { interruptGrace: '1s', terminateGrace: '1s' },
});

interface Edge {
  readonly h: Harness;
  readonly store: SqliteStore;
  controller: ReferenceController;
  readonly source: ControllerSource;
  readonly reconciler: Reconciler;
  readonly logged: Logged[];
}

let edge: Edge | undefined;
let dir: string | undefined;

afterEach(async () => {
  const e = edge;
  edge = undefined;
  if (e) {
    await e.source.close();
    await e.reconciler.close();
    await e.controller.close();
    await e.h.close();
    await e.store.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `defaultReconnect`: the source's own reconnect schedule (else 0.2 s … 1 s, to keep tests short). */
async function startEdge(initial: readonly string[], options: { heartbeatMs?: number; defaultReconnect?: boolean } = {}): Promise<Edge> {
  dir = mkdtempSync(join(tmpdir(), 'streamwarden-controller-it-'));
  const logged: Logged[] = [];
  const logger = recordingLogger(logged);
  const h = startHarness('streams: []\n', { ffmpegPath: FAKE_FFMPEG, capabilities: FAKE_CAPABILITIES });
  const store = await openSqliteStore({ path: join(dir, 'state.db'), clock: systemClock });
  const controller = await startReferenceController({ clock: systemClock, streams: initial.map(entry), heartbeatMs: options.heartbeatMs ?? 1_000 });
  const reconciler = new Reconciler({
    target: supervisorTarget(h.supervisor),
    readDesired: storeDesired(store),
    clock: systemClock,
    logger,
    ready: Promise.resolve(),
    debounceMs: 50,
  });
  const source = new ControllerSource({
    url: controller.eventsUrl,
    heartbeatTimeoutMs: 3_000,
    ...(options.defaultReconnect !== true && { backoff: { initialMs: 200, maxMs: 1_000 } }),
    store,
    clock: systemClock,
    logger,
    onChange: (reason) => reconciler.trigger(reason),
    references: { rtmpServers: [], notifiers: [] },
    redact: createRedactor(),
  });
  reconciler.start();
  source.start();
  edge = { h, store, controller, source, reconciler, logged };
  return edge;
}

/** Waits until exactly `ids` are supervised and running, and returns their pids. */
async function waitRunning(e: Edge, ids: readonly string[], timeoutMs = 15_000): Promise<Map<string, number>> {
  return waitFor(
    () => {
      const streams = e.h.supervisor.list();
      if (streams.map((s) => s.spec.id).sort().join() !== [...ids].sort().join()) return undefined;
      const pids = new Map<string, number>();
      for (const stream of streams) {
        const { state, pid } = stream.status();
        if (state !== 'running' || pid === undefined) return undefined;
        pids.set(stream.spec.id, pid);
      }
      return pids;
    },
    { timeoutMs, description: `streams ${ids.join(', ')} to be running (and no others)` },
  );
}

describe('controller over SSE → store → reconciler → supervisor (fake ffmpeg)', () => {
  it.each([5_000, 20_000])(
    'a %i ms network cut keeps every stream running with the same pid; the next snapshot stops one, starts one, keeps the rest',
    async (cutMs) => {
      const e = await startEdge(['a', 'b', 'c']);
      const before = await waitRunning(e, ['a', 'b', 'c']);
      expect(await e.store.listStreams()).toMatchObject([{ id: 'a', owner: 'controller' }, { id: 'b', owner: 'controller' }, { id: 'c', owner: 'controller' }]);
      expect(e.source.status()).toMatchObject({ connected: true, connects: 1, version: 1 });

      // The network goes away.
      const cutAt = Date.now();
      e.controller.setOnline(false);
      await waitFor(() => !e.source.status().connected, { description: 'the source to notice the cut', timeoutMs: 5_000 });
      // Meanwhile the controller's desired set changes: b goes, d comes.
      e.controller.remove('b');
      e.controller.upsert(entry('d'));

      // Throughout the cut: nothing stops, nothing restarts, reconnects keep being tried.
      const violations: string[] = [];
      await waitFor(
        () => {
          for (const [id, pid] of before) {
            const status = e.h.supervisor.has(id) ? e.h.supervisor.get(id).status() : undefined;
            if (status?.state !== 'running' || status.pid !== pid) violations.push(`${id}: ${status?.state ?? 'gone'} pid ${status?.pid ?? '-'} (was ${pid})`);
            if (!processAlive(pid)) violations.push(`${id}: process ${pid} died`);
          }
          return Date.now() - cutAt >= cutMs && e.source.status().reconnectAttempt >= 2;
        },
        { description: `a ${cutMs} ms cut with reconnect attempts`, timeoutMs: cutMs + 10_000, intervalMs: 200 },
      );
      expect(violations).toEqual([]);
      expect(e.source.status().connected).toBe(false);
      expect(e.h.supervisor.has('d')).toBe(false);

      // The network is back: the next snapshot is applied as a three-way diff.
      e.controller.setOnline(true);
      const after = await waitRunning(e, ['a', 'c', 'd']);
      expect(after.get('a')).toBe(before.get('a'));
      expect(after.get('c')).toBe(before.get('c'));
      const pidB = before.get('b') ?? 0;
      await waitFor(() => !processAlive(pidB), { description: `b's process ${pidB} to have exited`, timeoutMs: 5_000 });
      expect(e.source.status()).toMatchObject({ connected: true, connects: 2, version: e.controller.version() });
      expect((await e.store.listStreams()).map((s) => s.id)).toEqual(['a', 'c', 'd']);
      expect(e.h.events('run-finished').map((r) => `${r.streamId}:${r.reason}`)).toEqual(['b:stopped']);
    },
  );

  it('skips malformed events without a reconnect; a valid event after them is applied', async () => {
    const e = await startEdge(['a']);
    const before = await waitRunning(e, ['a']);
    const served = e.controller.connectionsServed();

    e.controller.sendRaw('upsert', '{"stream": {"id": "broken", oops');
    e.controller.sendRaw('upsert', JSON.stringify({ stream: { id: 'bad', args: ['-i', 'x'], restart: { backoffMax: 'soon' } } }));
    e.controller.sendRaw('snapshot', JSON.stringify({ version: 99 }));
    e.controller.sendRaw('remove', JSON.stringify({ id: 'A B' }));
    e.controller.upsert(entry('e'));

    const after = await waitRunning(e, ['a', 'e']);
    expect(after.get('a')).toBe(before.get('a'));
    expect(e.source.status()).toMatchObject({ connected: true, connects: 1, skippedEvents: 4 });
    expect(e.controller.connectionsServed()).toBe(served);
    const issues = e.logged.filter((l) => l.level === 'warn').flatMap((l) => l.obj.issues as string[]);
    expect(issues).toEqual([
      '(root): not valid JSON',
      expect.stringMatching(/^stream\.restart\.backoffMax: expected a duration/),
      'streams: expected a list of stream entries',
      'id: expected a stream id',
    ]);
  });

  it('a silent connection (no event within the heartbeat timeout) is replaced; streams keep running', async () => {
    // The controller sends its snapshot and then nothing: a half-open connection looks like this.
    const e = await startEdge(['a'], { heartbeatMs: 60_000 });
    const before = await waitRunning(e, ['a']);
    await waitFor(() => e.source.status().connects >= 2, { description: 'the source to replace the silent connection', timeoutMs: 10_000 });
    expect(e.logged.some((l) => l.level === 'warn' && l.msg.includes('no event from the controller in time'))).toBe(true);
    expect(e.h.supervisor.get('a').status()).toMatchObject({ state: 'running', pid: before.get('a') });
  });

  it('the controller goes down: attempts about 5 s apart (the default, never 30 s), connected again once it is back', async () => {
    const e = await startEdge(['a'], { defaultReconnect: true });
    const before = await waitRunning(e, ['a']);
    const port = e.controller.port;
    await e.controller.close();
    // Every failed attempt is logged as it fails (the first line is the lost connection itself).
    const failures = () => e.logged.filter((l) => /^(lost the controller connection|cannot reach the controller);/.test(l.msg)).map((l) => l.at);
    await waitFor(() => failures().length >= 5, { description: 'four failed reconnect attempts', timeoutMs: 25_000, intervalMs: 50 });
    const at = failures();
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? t));
    console.log(`reconnect attempts while the controller is down: ${gaps.join(', ')} ms apart`);
    // 1 s, 2 s, 4 s, then 5 s (each ±20 %, a little slack for the loopback and the event loop).
    for (const [i, nominal] of [1_000, 2_000, 4_000, 5_000].entries()) {
      expect(gaps[i]).toBeGreaterThanOrEqual(nominal * 0.8 - 50);
      expect(gaps[i]).toBeLessThanOrEqual(nominal * 1.2 + 300);
    }
    expect(e.h.supervisor.get('a').status()).toMatchObject({ state: 'running', pid: before.get('a') });

    // Back on the same port, with a new desired set: reconnected within one delay, and applied.
    const backAt = Date.now();
    e.controller = await startReferenceController({ clock: systemClock, streams: [entry('a'), entry('b')], heartbeatMs: 1_000, port });
    await waitFor(() => e.source.status().connected, { description: 'the source to reconnect', timeoutMs: 10_000, intervalMs: 50 });
    expect(Date.now() - backAt).toBeLessThan(5_000 * 1.2 + 1_000);
    await waitRunning(e, ['a', 'b']);
    expect(e.h.supervisor.get('a').status().pid).toBe(before.get('a'));
  });
});
