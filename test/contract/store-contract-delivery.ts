/** Contract: alert state, the notification outbox, retention, the writability probe, close. */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, UnknownNotificationError, type PruneOptions, type AlertsRepository, type OutboxRepository, type Store } from '../../src/ports/store.js';
import type { ContractContext } from './store-contract.js';
import { recovery, runEnd, runtimeEntry, T0 } from './store-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const retention = (now: number, overrides: Partial<PruneOptions> = {}): PruneOptions => ({
  now,
  keepRunsPerStream: 2,
  maxEventAgeMs: DAY,
  maxRecoveryAgeMs: DAY,
  maxSentNotificationAgeMs: DAY,
  ...overrides,
});

export function alertsContract(ctx: ContractContext<AlertsRepository>): void {
  describe('alert state', () => {
    it('upserts by key and lists by status', async () => {
      expect(await ctx.store.getAlert('stream-down:cam1')).toBeUndefined();
      await ctx.store.putAlert({ key: 'stream-down:cam1', status: 'firing', since: T0, stream: 'cam1', payload: { severity: 'critical' } });
      await ctx.store.putAlert({ key: 'disk', status: 'firing', since: T0, payload: null });
      const resolved = {
        key: 'stream-down:cam1',
        status: 'resolved',
        since: T0 + 60_000,
        lastNotifiedAt: T0 + 61_000,
        stream: 'cam1',
        payload: { severity: 'critical' },
      } as const;
      await ctx.store.putAlert(resolved);
      expect(await ctx.store.getAlert('stream-down:cam1')).toEqual(resolved);
      expect((await ctx.store.listAlerts()).map((a) => a.key)).toEqual(['disk', 'stream-down:cam1']);
      expect((await ctx.store.listAlerts({ status: 'firing' })).map((a) => a.key)).toEqual(['disk']);
      expect(await ctx.store.getAlert('disk')).not.toHaveProperty('lastNotifiedAt');
    });
  });
}

export function outboxContract(ctx: ContractContext<OutboxRepository>): void {
  describe('notification outbox', () => {
    it('hands out pending notices that are due, soonest first, up to the limit', async () => {
      const late = await ctx.store.enqueueNotification({
        notifier: 'discord',
        payload: { text: 'b' },
        createdAt: T0,
        nextAttemptAt: T0 + 5_000,
      });
      const now = await ctx.store.enqueueNotification({ notifier: 'slack', stream: 'cam1', payload: { text: 'a' }, createdAt: T0 + 1 });
      const later = await ctx.store.enqueueNotification({ notifier: 'slack', payload: 'c', createdAt: T0 + 2, nextAttemptAt: T0 + 9_000 });
      expect((await ctx.store.dueNotifications(T0 + 1, 10)).map((n) => n.id)).toEqual([now]);
      expect((await ctx.store.dueNotifications(T0 + 9_000, 10)).map((n) => n.id)).toEqual([now, late, later]);
      expect((await ctx.store.dueNotifications(T0 + 9_000, 2)).map((n) => n.id)).toEqual([now, late]);
      expect((await ctx.store.dueNotifications(T0 + 1, 1))[0]).toEqual({
        id: now,
        notifier: 'slack',
        stream: 'cam1',
        payload: { text: 'a' },
        attempts: 0,
        nextAttemptAt: T0 + 1,
        status: 'pending',
        createdAt: T0 + 1,
        updatedAt: T0 + 1,
      });
    });

    it('backs off after a failed attempt, then stops handing out sent or failed notices', async () => {
      const id = await ctx.store.enqueueNotification({ notifier: 'webhook', payload: {}, createdAt: T0 });
      await ctx.store.markNotification(id, { status: 'pending', at: T0 + 10, error: 'HTTP 502', nextAttemptAt: T0 + 30_000 });
      expect(await ctx.store.dueNotifications(T0 + 29_999, 10)).toEqual([]);
      const [retry] = await ctx.store.dueNotifications(T0 + 30_000, 10);
      expect(retry).toMatchObject({ id, attempts: 1, lastError: 'HTTP 502', status: 'pending', updatedAt: T0 + 10 });
      await ctx.store.markNotification(id, { status: 'sent', at: T0 + 30_001 });
      expect(await ctx.store.dueNotifications(T0 + DAY, 10)).toEqual([]);

      const other = await ctx.store.enqueueNotification({ notifier: 'webhook', payload: {}, createdAt: T0 });
      await ctx.store.markNotification(other, { status: 'failed', at: T0 + 1, error: 'HTTP 404' });
      expect(await ctx.store.dueNotifications(T0 + DAY, 10)).toEqual([]);
    });

    it('throws UnknownNotificationError for an id it never handed out', async () => {
      await expect(ctx.store.markNotification(424_242, { status: 'sent', at: T0 })).rejects.toBeInstanceOf(UnknownNotificationError);
    });
  });
}

export function retentionContract(ctx: ContractContext<Store>): void {
  describe('retention', () => {
    it('keeps the newest runs of each stream, and any run still in the runtime registry', async () => {
      const cam1: number[] = [];
      for (let i = 0; i < 5; i++) cam1.push(await ctx.store.recordRunStart({ stream: 'cam1', startedAt: T0 + i * 1_000 }));
      const cam2 = await ctx.store.recordRunStart({ stream: 'cam2', startedAt: T0 });
      await ctx.store.putRuntime(runtimeEntry('cam1', cam1[0] ?? 0));
      const result = await ctx.store.prune(retention(T0 + 10_000));
      expect(result.runs).toBe(2);
      expect((await ctx.store.listRuns('cam1', 10)).map((r) => r.runId)).toEqual([cam1[4], cam1[3], cam1[0]]);
      expect((await ctx.store.listRuns('cam2', 10)).map((r) => r.runId)).toEqual([cam2]);
    });

    it('drops runs older than maxRunAgeMs when asked', async () => {
      const old = await ctx.store.recordRunStart({ stream: 'gone', startedAt: T0 });
      await ctx.store.recordRunEnd(old, runEnd(T0 + 1_000));
      const recent = await ctx.store.recordRunStart({ stream: 'gone', startedAt: T0 + 2 * DAY });
      const result = await ctx.store.prune(retention(T0 + 2 * DAY + 1, { maxRunAgeMs: DAY }));
      expect(result.runs).toBe(1);
      expect((await ctx.store.listRuns('gone', 10)).map((r) => r.runId)).toEqual([recent]);
    });

    it('drops old events, recoveries, finished notifications and resolved alerts; keeps the rest', async () => {
      const now = T0 + 10 * DAY;
      await ctx.store.appendEvent({ at: now - 2 * DAY, type: 'state', payload: {} });
      const fresh = await ctx.store.appendEvent({ at: now - HOUR, type: 'state', payload: {} });
      await ctx.store.recordRecovery(recovery('cam1', now - 3 * DAY));
      const keptRecovery = await ctx.store.recordRecovery(recovery('cam1', now - HOUR));
      const sent = await ctx.store.enqueueNotification({ notifier: 'slack', payload: {}, createdAt: now - 3 * DAY });
      await ctx.store.markNotification(sent, { status: 'sent', at: now - 3 * DAY });
      const failed = await ctx.store.enqueueNotification({ notifier: 'slack', payload: {}, createdAt: now - 3 * DAY });
      await ctx.store.markNotification(failed, { status: 'failed', at: now - 3 * DAY, error: 'gave up' });
      const pending = await ctx.store.enqueueNotification({ notifier: 'slack', payload: {}, createdAt: now - 3 * DAY });
      await ctx.store.putAlert({ key: 'old', status: 'resolved', since: now - 3 * DAY, payload: {} });
      await ctx.store.putAlert({ key: 'firing', status: 'firing', since: now - 3 * DAY, payload: {} });

      expect(await ctx.store.prune(retention(now))).toEqual({ runs: 0, events: 1, recoveries: 1, notifications: 2, alerts: 0 });
      expect((await ctx.store.listEvents(0, 10)).map((e) => e.id)).toEqual([fresh]);
      expect((await ctx.store.listRecoveries({ limit: 10 })).map((r) => r.id)).toEqual([keptRecovery]);
      expect((await ctx.store.dueNotifications(now, 10)).map((n) => n.id)).toEqual([pending]);
      expect((await ctx.store.prune(retention(now, { maxResolvedAlertAgeMs: DAY }))).alerts).toBe(1);
      expect((await ctx.store.listAlerts()).map((a) => a.key)).toEqual(['firing']);
    });
  });
}

export function maintenanceContract(ctx: ContractContext<Store>): void {
  describe('probe and close', () => {
    it('checkWritable resolves on a healthy store', async () => {
      await expect(ctx.store.checkWritable()).resolves.toBeUndefined();
    });

    it('close is idempotent and later calls fail with StoreUnavailableError', async () => {
      await ctx.store.close();
      await ctx.store.close();
      await expect(ctx.store.listStreams()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(ctx.store.checkWritable()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', reason: 'closed' });
    });
  });
}
