/**
 * The daemon's notification path (src/app/notifications.ts: alert manager, SQLite outbox, the
 * configured notifiers) over a harness's streams and watchdog, and a local webhook receiver that
 * records every Alertmanager-shaped post:
 *
 *   const hook = await startWebhookReceiver();          // before the config: its URL goes in it
 *   const h = startWatchdogHarness(`notifiers: [{ id: hook, type: webhook, url: "${hook.url}/hook" }] …`, …);
 *   const alerts = await followAlerts(h, dir);
 *   await waitFor(() => hook.alerts().some((a) => a.alertname === 'unhealthy'), …);
 *   await alerts.close(); await hook.close();
 */
import path from 'node:path';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { Notifications } from '../../src/app/notifications.js';
import { createRedactor } from '../../src/domain/redact.js';
import type { StreamwardenMetrics } from '../../src/metrics/streamwarden-metrics.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { startFakeHttpServer, type FakeHttpServer } from './fake-http-server.js';
import type { WatchdogIntegration } from './watchdog-integration.js';

/** One alert of one post, in arrival order. */
export interface ReceivedAlert {
  /** Index of the post that carried it. */
  readonly post: number;
  /** When the post arrived (ms since epoch). */
  readonly receivedAt: number;
  readonly alertname: string;
  readonly stream: string | undefined;
  readonly status: string;
  readonly summary: string;
  readonly description: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly server: FakeHttpServer;
  /** Every alert of every post so far. */
  alerts(): ReceivedAlert[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals: number[] = [];
  const server = await startFakeHttpServer(() => {
    arrivals.push(Date.now());
    return { body: {} };
  });
  return {
    url: server.url,
    server,
    alerts: () =>
      server.requests.flatMap((request, post) => {
        const body = JSON.parse(request.body) as { alerts?: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] };
        return (body.alerts ?? []).map((a) => ({
          post,
          receivedAt: arrivals[post] ?? 0,
          alertname: a.labels.alertname ?? '',
          stream: a.labels.stream,
          status: a.status,
          summary: a.annotations.summary ?? '',
          description: a.annotations.description ?? '',
        }));
      }),
    close: () => server.close(),
  };
}

/** Turns the harness's events into alerts sent to its configured notifiers; store in `dir`. */
export async function followAlerts(h: WatchdogIntegration, dir: string): Promise<{ close(): Promise<void> }> {
  const store = await openSqliteStore({ path: path.join(dir, 'alerts.db'), clock: systemClock });
  const metrics = { countNotification: () => undefined } as unknown as StreamwardenMetrics;
  const notifications = new Notifications({
    config: h.config,
    clock: systemClock,
    logger: silentLogger,
    redact: createRedactor(h.config.secrets),
    metrics,
    streamSpec: (id) => (h.supervisor.has(id) ? h.supervisor.get(id).spec : undefined),
    streamEvents: h.supervisor.events,
    streamRemoved: () => () => undefined,
    watchdogEvents: h.watchdog.events,
  });
  await notifications.open(store);
  notifications.follow();
  return {
    close: async () => {
      notifications.stopFollowing();
      await notifications.close();
      await store.close();
    },
  };
}
