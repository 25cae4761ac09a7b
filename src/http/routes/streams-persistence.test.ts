import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { createRedactor } from '../../domain/redact.js';
import { Reconciler, storeDesired } from '../../reconcile/reconciler.js';
import { supervisorTarget } from '../../app/supervisor-target.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../../test/fakes/silent-logger.js';
import { SECRET, streamSpec, until } from '../../../test/helpers/app-harness.js';
import { buildApp } from '../app.js';
import { EventJournal } from '../../events/event-journal.js';
import { settlingTarget } from '../../reconcile/settling-target.js';
import { StreamService } from '../../reconcile/stream-service.js';

const body = (id: string) => ({ id, args: ['-re', '-i', 'in.mp4', '-f', 'flv', `rtmp://127.0.0.1/live/${id}`] });

describe('stream routes over the store', () => {
  let dir: string;
  let store: SqliteStore;
  let open: boolean;
  let reconciler: Reconciler;
  let runner: FakeProcessRunner;
  let supervisor: Supervisor;
  let app: ReturnType<typeof buildApp>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sw-api-store-'));
    const clock = new FakeClock();
    store = await openSqliteStore({ path: join(dir, 'sw.db'), clock });
    open = true;
    await store.putStream({ spec: streamSpec('filecam'), owner: 'file' });
    runner = new FakeProcessRunner();
    const redact = createRedactor([SECRET]);
    supervisor = new Supervisor([], {
      clock,
      runner,
      ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
      logger: silentLogger,
      redact,
      random: () => 0.5,
    });
    const target = settlingTarget(supervisorTarget(supervisor));
    const readDesired = storeDesired(store);
    reconciler = new Reconciler({ target, readDesired, clock, logger: silentLogger, ready: Promise.resolve() });
    reconciler.start();
    await until(() => reconciler.status().ready, 'the reconciler to be ready');
    await reconciler.reconcileNow();
    app = buildApp({
      supervisor,
      clock,
      health: [],
      journal: new EventJournal({ clock, redact }),
      redact,
      references: { rtmpServers: [], notifiers: [] },
      isShuttingDown: () => false,
      streams: new StreamService({ store: () => (open ? store : undefined), reconciler, target, readDesired }),
    });
  });

  afterEach(async () => {
    await reconciler.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('POST persists the stream (owner api) and answers once the supervisor has it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/streams', payload: body('apicam') });
    expect(res.statusCode).toBe(201);
    expect((await store.getStream('apicam'))?.owner).toBe('api');
    expect(supervisor.get('apicam').desired).toBe('running');
    const again = await app.inject({ method: 'POST', url: '/api/v1/streams', payload: body('filecam') });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'STREAM_EXISTS' } });
  });

  it('PUT and DELETE of a file-owned stream: 409 STREAM_OWNED naming the owner; nothing changes', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/v1/streams/filecam', payload: body('filecam') });
    expect(put.statusCode).toBe(409);
    expect(put.json()).toMatchObject({ error: { code: 'STREAM_OWNED' } });
    expect(put.json<{ error: { message: string } }>().error.message).toContain('owned by file');
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/streams/filecam' });
    expect(del.statusCode).toBe(409);
    expect(await store.getStream('filecam')).toBeDefined();
    expect(supervisor.get('filecam').desired).toBe('running');
  });

  it('stop / start of a file-owned stream are allowed and persisted as its desired state', async () => {
    const stop = app.inject({ method: 'POST', url: '/api/v1/streams/filecam/stop' });
    await until(() => runner.spawned.some((p) => p.signals.length > 0), 'the stop signal');
    for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
    expect((await stop).statusCode).toBe(202);
    expect((await store.getStream('filecam'))?.desired).toBe('stopped');
    expect(supervisor.get('filecam').desired).toBe('stopped');
    const start = await app.inject({ method: 'POST', url: '/api/v1/streams/filecam/start' });
    expect(start.statusCode).toBe(202);
    expect((await store.getStream('filecam'))?.desired).toBe('running');
  });

  it('DELETE of an API stream removes it from the store and answers 204 once its process exited', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/streams', payload: body('apicam') })).statusCode).toBe(201);
    const del = app.inject({ method: 'DELETE', url: '/api/v1/streams/apicam' });
    await until(() => runner.spawned.some((p) => p.alive && p.signals.length > 0), 'the stop signal');
    for (const proc of runner.spawned) if (proc.alive && proc.signals.length > 0) proc.exit({ code: 255, signal: null });
    expect((await del).statusCode).toBe(204);
    expect(await store.getStream('apicam')).toBeUndefined();
    expect(supervisor.list().map((s) => s.spec.id)).toEqual(['filecam']);
  });

  it('without a store changes are refused with 503 STORE_UNAVAILABLE', async () => {
    open = false;
    const res = await app.inject({ method: 'POST', url: '/api/v1/streams', payload: body('apicam') });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
    expect(supervisor.list().map((s) => s.spec.id)).toEqual(['filecam']);
  });
});
