/**
 * Issue 17, defect 3: a relay of a frozen picture, a real `content` check (freezedetect) and
 * `onUnhealthy: [restart, notify]`, with a webhook notifier on a local receiver. A restart cannot
 * cure a frozen source: the restarts must spend the shared budget and reach the crash-loop regime
 * (no restart storm), and the webhook must get ONE firing notice per alert until the picture
 * really moves again, then ONE resolved (no "resolved" on progress alone after each restart).
 *
 * Time scale (≈ 1 : 10). What a user runs for 10 minutes — content check every 30 s needing 2
 * failures, watchdog cooldown 60 s, restart settle 30 s, budget 5 restarts in 5 min, backoff cap
 * (slow retry) 60 s, crash loop over after 10 min healthy — is played here in about a minute:
 * check every 2 s (2 failures), cooldown 4 s, settle 5 s, budget 3 restarts in 2 min (a window
 * longer than the test, as 5 min is against the first minutes of the 10), backoff cap 5 s, crash
 * loop over after 6 s healthy. The sequence is the same: the budget's restarts, then the crash-loop
 * regime (slow retries), one firing per alert; the source moves again; one resolved per alert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { followAlerts, startWebhookReceiver, type WebhookReceiver } from '../helpers/alert-webhook.js';
import { startLavfiPublisher, type LavfiPublisher } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();

const S = 1_000;
const BUDGET = 3;

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: a frozen picture a restart cannot fix', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let hook: WebhookReceiver;
  let dir: string;
  let h: WatchdogIntegration | undefined;
  let alerts: { close(): Promise<void> } | undefined;
  const publishers: LavfiPublisher[] = [];

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx', dropIdlePublisher: '120s' });
    hook = await startWebhookReceiver();
    dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-frozen-'));
  });

  afterEach(async () => {
    await alerts?.close();
    alerts = undefined;
    await h?.close();
    h = undefined;
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await hook.close();
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts spend the budget, then the crash-loop regime; one firing per alert until the picture moves, then one resolved', async () => {
    const source = (kind: 'still' | 'normal'): LavfiPublisher => {
      const publisher = startLavfiPublisher(ffmpegPath ?? 'ffmpeg', nginx.rtmpUrl('live', 'src'), kind);
      publishers.push(publisher);
      return publisher;
    };
    const still = source('still');
    await nginx.waitForPublishing('live', 'src', { active: true });

    const x = startWatchdogHarness(
      `
notifiers:
  - { id: hook, type: webhook, url: "${hook.url}/hook" }
alerts:
  groupWindow: 0s
streams:
  - id: relay
    name: DJ relay
    args: [-rw_timeout, "3000000", -i, "${nginx.rtmpUrl('live', 'src')}", -c, copy, -f, flv, "${nginx.rtmpUrl('live', 'relay')}"]
    startTimeout: 5s
    restart: { backoffInitial: 300ms, backoffMax: 5s, budget: { restarts: ${BUDGET}, within: 2m }, resetAfter: 6s }
    checks:
      - { type: content, name: picture, interval: 3s, timeout: 10s, duration: 4s, freeze: true, black: false, silence: false }
    onUnhealthy: [restart, notify]
`,
      {
        ffmpegPath: ffmpegPath ?? '',
        ffprobePath: ffprobePath ?? '',
        capabilities,
        policy: { cooldownMs: 4 * S, settleMs: { restart: 5 * S, 'drop-publisher': 5 * S, 'next-input': 5 * S, notify: 0 }, intentionalGraceMs: 5 * S },
      },
    );
    h = x;
    alerts = await followAlerts(x, dir);

    // The picture stays frozen: the budget's restarts, then the crash loop, then slow retries.
    await x.waitForEvent('state', (e) => e.to === 'crashloop', { timeoutMs: 60 * S, description: 'the stream to reach the crash-loop regime' });
    const firstCrashloop = x.events('state').find((e) => e.to === 'crashloop')?.at ?? 0;
    const restartsBefore = x.events('run-finished').filter((e) => e.countsAsRestart && e.at <= firstCrashloop);
    // N restarts allowed; the counted failure after them enters the crash loop instead of restarting.
    const restarted = restartsBefore.filter((e) => e.next !== 'crashloop');
    expect(restarted.length).toBeGreaterThanOrEqual(1);
    expect(restarted.length).toBeLessThanOrEqual(BUDGET);
    expect(restartsBefore.at(-1)?.next).toBe('crashloop');
    expect(restartsBefore.every((e) => e.reason === 'restarted')).toBe(true); // the watchdog's counted restarts
    // A slow retry in the regime: another run, still frozen, back in crashloop.
    await x.waitForEvent('state', (e) => e.to === 'crashloop' && e.at > firstCrashloop, { timeoutMs: 40 * S, description: 'a slow retry to end in crashloop again' });
    const frozenUntil = Date.now();
    const watchdogRestarts = x.recoveries.filter((e) => e.phase === 'action' && e.action === 'restart').length;
    // No storm: in the regime the restarts come at the slow-retry cadence, not every cooldown.
    expect(watchdogRestarts).toBeLessThanOrEqual(BUDGET + 3);
    expect(x.stream('relay').status().health).not.toBe('healthy');

    // The picture moves again: a new publisher of the source.
    await still.stop();
    source('normal');
    await x.waitForHealth('relay', 'healthy', { timeoutMs: 60 * S });
    const healthyAt = Date.now();
    const resolved = (name: string) => hook.alerts().filter((a) => a.alertname === name && a.status === 'resolved');
    await waitFor(() => resolved('unhealthy').length > 0 && resolved('crashloop').length > 0, {
      timeoutMs: 30 * S,
      intervalMs: 100,
      description: 'the unhealthy and crashloop alerts to be resolved at the webhook',
    });
    // Staying healthy: nothing more comes (bounded wait, the crash loop's healthy threshold and more).
    await waitFor(() => Date.now() - healthyAt > 8 * S, { timeoutMs: 10 * S, intervalMs: 200, description: 'a quiet period' });

    const received = hook.alerts().filter((a) => a.stream === 'relay');
    const count = (name: string, status: string): number => received.filter((a) => a.alertname === name && a.status === status).length;
    expect(count('unhealthy', 'firing'), JSON.stringify(received)).toBe(1);
    expect(count('unhealthy', 'resolved'), JSON.stringify(received)).toBe(1);
    expect(count('crashloop', 'firing'), JSON.stringify(received)).toBe(1);
    expect(count('crashloop', 'resolved'), JSON.stringify(received)).toBe(1);
    expect(count('degraded', 'firing')).toBe(0);
    // Resolved only once the picture really moved.
    for (const a of received.filter((r) => r.status === 'resolved')) expect(a.receivedAt).toBeGreaterThan(frozenUntil);
    expect(x.stream('relay').status().health).toBe('healthy');
  }, 240_000);
});
