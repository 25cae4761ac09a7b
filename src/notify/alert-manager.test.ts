import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { openSqliteStore, type SqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { parseMessage, type NotificationMessage } from '../domain/alerts/message.js';
import type { MaintenanceWindow } from '../domain/alerts/routing.js';
import { createRedactor } from '../domain/redact.js';
import { AlertManager, type AlertManagerOptions } from './alert-manager.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Lets the manager's serialised store work run (no time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function setup(overrides: Partial<AlertManagerOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-alerts-'));
  const clock = new FakeClock();
  const path = join(dir, 'state.db');
  const stores: SqliteStore[] = [];
  cleanups.push(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async () => {
    const store = await openSqliteStore({ path, clock });
    stores.push(store);
    const manager = await AlertManager.open({
      store,
      clock,
      redact: createRedactor(['hunter2-secret']),
      routes: [
        { id: 'ops', global: true, minSeverity: 'info' },
        { id: 'cam', global: false, minSeverity: 'warning' },
      ],
      streamNotify: (stream) => (stream.startsWith('cam') ? ['cam'] : []),
      groupWindowMs: 10_000,
      ...overrides,
    });
    return { store, manager };
  };
  const first = await open();
  const sent = async (store: SqliteStore, notifier: string): Promise<NotificationMessage[]> =>
    (await store.dueNotifications(Number.MAX_SAFE_INTEGER, 1_000))
      .filter((n) => n.notifier === notifier)
      .map((n) => parseMessage(n.payload))
      .filter((m): m is NotificationMessage => m !== undefined);
  return { clock, open, sent, ...first };
}

const unhealthy = (stream: string, what = 'output: I/O error') =>
  ({ condition: 'unhealthy', stream, severity: 'critical', title: `${stream} is unhealthy`, what }) as const;

describe('AlertManager', () => {
  it('groups a burst of 20 failing streams into one message per notifier, then one resolved message', async () => {
    const { clock, manager, store, sent } = await setup();
    for (let i = 0; i < 20; i++) void manager.conditionActive(unhealthy(`cam${i}`));
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(0);
    clock.advance(10_000);
    await settle();
    const [firing] = await sent(store, 'ops');
    expect(firing?.items).toHaveLength(20);
    expect((await sent(store, 'cam'))[0]?.items).toHaveLength(20);
    for (let i = 0; i < 20; i++) void manager.conditionCleared('unhealthy', `cam${i}`);
    await manager.flush();
    const messages = await sent(store, 'ops');
    expect(messages).toHaveLength(2);
    expect(messages[1]?.items.every((item) => item.status === 'resolved')).toBe(true);
    await manager.close();
  });

  it('redacts every text it is given', async () => {
    const { manager, store, sent } = await setup({ groupWindowMs: 0 });
    await manager.conditionActive(unhealthy('radio', 'rtmp://host/live/hunter2-secret refused'));
    await settle();
    const [message] = await sent(store, 'ops');
    expect(JSON.stringify(message)).not.toContain('hunter2');
    await manager.close();
  });

  it('survives a restart: no duplicate while firing, the resolution still comes', async () => {
    const { manager, store, open, sent } = await setup({ groupWindowMs: 0 });
    await manager.conditionActive(unhealthy('radio'));
    await manager.close();
    await store.close();
    const second = await open();
    await second.manager.conditionActive(unhealthy('radio'));
    await second.manager.clearStream('radio');
    await settle();
    const messages = await sent(second.store, 'ops');
    expect(messages.map((m) => m.items[0]?.status)).toEqual(['firing', 'resolved']);
    await second.manager.close();
  });

  it('fires only after the condition held for forMs, and reminds after an hour', async () => {
    const { clock, manager, store, sent } = await setup({ groupWindowMs: 0, forMs: { unhealthy: 30_000 } });
    await manager.conditionActive(unhealthy('radio'));
    clock.advance(29_000);
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(0);
    clock.advance(1_000);
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(1);
    clock.advance(3_600_000);
    await settle();
    const messages = await sent(store, 'ops');
    expect(messages[1]?.items[0]?.reminder).toBe(true);
    await manager.close();
  });

  it('sends nothing in a maintenance window; a still-firing alert goes out once it ends', async () => {
    const clock0 = new FakeClock().now();
    const windows: MaintenanceWindow[] = [{ stream: 'radio', start: clock0, end: clock0 + 30_000 }];
    const { clock, manager, store, sent } = await setup({ groupWindowMs: 0, maintenance: () => windows });
    await manager.conditionActive(unhealthy('radio'));
    await manager.event({ kind: 'publisher-dropped', stream: 'radio', severity: 'warning', title: 't', what: 'w' });
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(0);
    clock.advance(60_000);
    await settle();
    expect((await sent(store, 'ops')).map((m) => m.items[0]?.kind)).toEqual(['unhealthy']);
    await manager.close();
  });

  it('announces an unclean stop of the previous daemon, not a clean one', async () => {
    const { manager, open, sent } = await setup({ groupWindowMs: 0, detectUncleanStop: true });
    await manager.close();
    const clean = await open();
    await settle();
    expect(await sent(clean.store, 'ops')).toHaveLength(0);
    // `clean` is never closed: that daemon "dies", and the next one notices.
    const crashed = await open();
    await settle();
    expect((await sent(crashed.store, 'ops')).map((m) => m.items[0]?.kind)).toEqual(['unclean-stop']);
    await clean.manager.close();
    await crashed.manager.close();
  });

  it('routes by stream notify ids and minimum severity', async () => {
    const { manager, store, sent } = await setup({ groupWindowMs: 0 });
    await manager.event({ kind: 'input-switched', stream: 'cam1', severity: 'info', title: 'back on input 0', what: 'w' });
    await manager.event({ kind: 'input-switched', stream: 'radio', severity: 'warning', title: 'to input 1', what: 'w' });
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(2);
    expect(await sent(store, 'cam')).toHaveLength(0);
    await manager.close();
  });
});

describe('AlertManager with a failing store', () => {
  it('keeps a group whose outbox write failed and writes it later', async () => {
    const { clock, manager, store, sent } = await setup({ groupWindowMs: 0 });
    const original = store.enqueueNotification.bind(store);
    let failures = 1;
    store.enqueueNotification = (input) => (failures-- > 0 ? Promise.reject(new Error('SQLITE_FULL')) : original(input));
    await manager.conditionActive(unhealthy('radio'));
    await settle();
    expect(await sent(store, 'ops')).toHaveLength(0);
    clock.advance(5_000);
    await settle();
    expect((await sent(store, 'ops')).map((m) => m.items[0]?.key)).toEqual(['unhealthy:radio']);
    await manager.close();
  });
});
