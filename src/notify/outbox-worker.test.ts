import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { openSqliteStore, type SqliteStore } from '../adapters/sqlite/sqlite-store.js';
import type { NotificationMessage } from '../domain/alerts/message.js';
import { createRedactor } from '../domain/redact.js';
import type { Notifier, SendResult } from '../ports/notifier.js';
import { OutboxWorker, type DeliveryResult } from './outbox-worker.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A notifier that answers from a script (then ok) and records what it was given. */
function scripted(id: string, script: SendResult[], rateLimit = { capacity: 100, perMs: 1_000 }) {
  const received: string[] = [];
  const notifier: Notifier = {
    id,
    type: 'fake',
    rateLimit,
    send: (message: NotificationMessage): Promise<SendResult> => {
      const result = script.shift() ?? { ok: true };
      if (result.ok) received.push(message.items[0]?.title ?? '?');
      return Promise.resolve(result);
    },
  };
  return { notifier, received };
}

const message = (title: string, now: number) => ({
  createdAt: now,
  items: [{ key: title, kind: 'test', status: 'firing', severity: 'info', title, what: 'w', since: now }],
});

async function setup(notifiers: Notifier[]) {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-outbox-'));
  const clock = new FakeClock();
  const store: SqliteStore = await openSqliteStore({ path: join(dir, 'state.db'), clock });
  const outcomes: string[] = [];
  const worker = new OutboxWorker({
    store,
    notifiers,
    clock,
    redact: createRedactor(),
    onOutcome: (n: string, r: DeliveryResult) => outcomes.push(`${n}:${r}`),
    backoff: { initialMs: 1_000, multiplier: 2, maxMs: 8_000 },
    pollIntervalMs: 60_000,
  });
  cleanups.push(async () => {
    await worker.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const enqueue = async (notifier: string, title: string) => {
    await store.enqueueNotification({ notifier, stream: 's', payload: message(title, clock.now()), createdAt: clock.now() });
  };
  return { clock, store, worker, outcomes, enqueue };
}

describe('OutboxWorker', () => {
  it('retries the head with backoff and keeps order; another notifier is not delayed', async () => {
    const down = scripted('down', [
      { ok: false, retryable: true, status: 503, error: 'HTTP 503' },
      { ok: false, retryable: true, error: 'request failed: ECONNREFUSED' },
    ]);
    const up = scripted('up', []);
    const { clock, worker, outcomes, enqueue } = await setup([down.notifier, up.notifier]);
    for (const title of ['a', 'b', 'c']) {
      await enqueue('down', title);
      await enqueue('up', title);
    }
    worker.start();
    await settle();
    expect(up.received).toEqual(['a', 'b', 'c']);
    expect(down.received).toEqual([]);
    clock.advance(1_000);
    await settle();
    expect(down.received).toEqual([]);
    clock.advance(2_000);
    await settle();
    expect(down.received).toEqual(['a', 'b', 'c']);
    expect(outcomes.filter((o) => o.startsWith('down:'))).toEqual(['down:failed', 'down:failed', 'down:sent', 'down:sent', 'down:sent']);
  });

  it('waits as long as a 429 asks, counting it as rate-limited', async () => {
    const limited = scripted('discord', [{ ok: false, retryable: true, status: 429, retryAfterMs: 5_000, error: 'HTTP 429' }]);
    const { clock, worker, outcomes, enqueue } = await setup([limited.notifier]);
    await enqueue('discord', 'a');
    worker.start();
    await settle();
    clock.advance(4_999);
    await settle();
    expect(limited.received).toEqual([]);
    clock.advance(1);
    await settle();
    expect(limited.received).toEqual(['a']);
    expect(outcomes).toEqual(['discord:rate-limited', 'discord:sent']);
  });

  it('keeps under the rate limit: 5 per 2 s, then one every 400 ms', async () => {
    const discord = scripted('discord', [], { capacity: 5, perMs: 2_000 });
    const { clock, worker, enqueue } = await setup([discord.notifier]);
    for (let i = 0; i < 7; i++) await enqueue('discord', `m${i}`);
    worker.start();
    await settle();
    expect(discord.received).toHaveLength(5);
    clock.advance(400);
    await settle();
    expect(discord.received).toHaveLength(6);
    clock.advance(400);
    await settle();
    expect(discord.received).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('gives up on a permanent rejection and moves on', async () => {
    const picky = scripted('picky', [{ ok: false, retryable: false, status: 400, error: 'HTTP 400' }]);
    const { store, worker, outcomes, enqueue, clock } = await setup([picky.notifier]);
    await enqueue('picky', 'bad');
    await enqueue('picky', 'good');
    worker.start();
    await settle();
    expect(picky.received).toEqual(['good']);
    expect(outcomes).toEqual(['picky:failed', 'picky:dropped', 'picky:sent']);
    expect(await store.dueNotifications(clock.now() + 1e9, 10)).toEqual([]);
  });
});

describe('OutboxWorker orphans', () => {
  it('gives up notices for a notifier no longer configured', async () => {
    const { store, worker, outcomes, enqueue, clock } = await setup([scripted('up', []).notifier]);
    await enqueue('gone', 'x');
    worker.start();
    await settle();
    expect(outcomes).toEqual(['gone:dropped']);
    expect(await store.dueNotifications(clock.now() + 1e9, 10)).toEqual([]);
  });
});
