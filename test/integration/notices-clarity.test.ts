/**
 * Issue 17, defect 6: notices that confuse the people who get them, each played with real ffmpeg,
 * the daemon's notification path (SQLite outbox, webhook notifier) and a local webhook receiver.
 *
 * - one webhook post must not hold firing, resolved and firing of the same alert;
 * - a brief run (shorter than the stream's healthy threshold, `restart.resetAfter`) during the
 *   slow retries of a crash loop must not resolve `crashloop`;
 * - the drop notice must say how long the stream has really been unhealthy (not "0 s" after the
 *   continuous-failure threshold of 4 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { followAlerts, startWebhookReceiver, type WebhookReceiver } from '../helpers/alert-webhook.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();
const S = 1_000;

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('notices people can read', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let hook: WebhookReceiver | undefined;
  let dir: string;
  let h: WatchdogIntegration | undefined;
  let alerts: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-notices-'));
  });

  afterEach(async () => {
    await alerts?.close();
    alerts = undefined;
    await h?.close();
    h = undefined;
    await hook?.close();
    hook = undefined;
  });

  afterAll(async () => {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The webhook notifier on the local receiver, and the grouping window. */
  const notifierYaml = (url: string, groupWindow: string): string => `
notifiers:
  - { id: hook, type: webhook, url: "${url}" }
alerts:
  groupWindow: ${groupWindow}
`;

  async function start(name: string, yaml: (hookUrl: string) => string): Promise<{ x: WatchdogIntegration; hook: WebhookReceiver }> {
    const receiver = await startWebhookReceiver();
    hook = receiver;
    const x = startWatchdogHarness(yaml(`${receiver.url}/hook`), { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities });
    h = x;
    alerts = await followAlerts(x, mkdtempSync(path.join(dir, `${name}-`)));
    return { x, hook: receiver };
  }

  it('a flap inside the grouping window: the post holds the alert once, in its net state', async () => {
    // The encoder runs 1 s and exits: healthy (progress) → unhealthy (backoff) → healthy → …,
    // faster than the 4 s grouping window.
    const { x, hook: receiver } = await start(
      'flap',
      (url) => `${notifierYaml(url, '4s')}
streams:
  - id: flappy
    args: [-re, -f, lavfi, -i, "testsrc2=size=160x120:rate=25", -t, "1", -f, "null", "-"]
    restart: { backoffInitial: 300ms, backoffMax: 300ms, budget: { restarts: 100, within: 1m } }
`,
    );
    await x.waitForEvent('run-finished', (e) => e.runId >= 4, { timeoutMs: 30 * S, description: 'several short runs' });
    await waitFor(() => receiver.server.requests.length >= 2, { timeoutMs: 20 * S, intervalMs: 100, description: 'two grouped posts at the webhook' });
    const flapped = x.events('health').filter((e) => e.to === 'unhealthy').length;
    expect(flapped).toBeGreaterThanOrEqual(2); // it did flap inside one window
    const posts = receiver.server.requests.map((r) => (JSON.parse(r.body) as { alerts: { fingerprint: string; status: string }[] }).alerts);
    for (const post of posts) {
      const fingerprints = post.map((a) => a.fingerprint);
      expect(new Set(fingerprints).size, JSON.stringify(post)).toBe(fingerprints.length);
    }
  }, 60_000);

  it('a brief run during the slow retries of a crash loop does not resolve it', async () => {
    // Each run lasts about 1 s (healthy by its progress), far below resetAfter (20 s).
    const { x, hook: receiver } = await start(
      'crashloop',
      (url) => `${notifierYaml(url, '0s')}
streams:
  - id: brief
    args: [-re, -f, lavfi, -i, "testsrc2=size=160x120:rate=25", -t, "1.5", -f, "null", "-"]
    restart: { backoffInitial: 200ms, backoffMax: 2s, budget: { restarts: 2, within: 1m }, resetAfter: 20s }
`,
    );
    await x.waitForEvent('state', (e) => e.to === 'crashloop', { timeoutMs: 30 * S, description: 'the crash loop' });
    const firstLoop = x.count('state');
    // Two slow retries, each a brief healthy run, each ending in the crash loop again.
    await x.waitForEvent('state', (e) => e.to === 'crashloop', { from: firstLoop, timeoutMs: 30 * S, description: 'a slow retry back into the crash loop' });
    const second = x.count('state');
    await x.waitForEvent('state', (e) => e.to === 'crashloop', { from: second, timeoutMs: 30 * S, description: 'another slow retry back into the crash loop' });
    expect(x.events('health').some((e) => e.to === 'healthy' && e.at > (x.events('state')[firstLoop - 1]?.at ?? 0))).toBe(true);
    await waitFor(() => receiver.alerts().some((a) => a.alertname === 'crashloop'), { timeoutMs: 10 * S, intervalMs: 100, description: 'the crash-loop alert at the webhook' });
    const crashloop = receiver.alerts().filter((a) => a.alertname === 'crashloop');
    expect(crashloop.map((a) => a.status), JSON.stringify(crashloop)).toEqual(['firing']);
  }, 90_000);

  it('the drop notice says how long the stream has been unhealthy', async () => {
    // Our publisher is fine, but the probed URL never plays: 4 s without a success → drop.
    const { x, hook: receiver } = await start(
      'drop',
      (url) => `
rtmpServers:
  - { id: local, type: nginx-rtmp, statUrl: "${nginx.statUrl}", controlUrl: "${nginx.controlUrl}" }
${notifierYaml(url, '0s')}
streams:
  - id: cam
    args: [-re, -f, lavfi, -i, "testsrc2=size=160x120:rate=25", -c:v, libx264, -preset, ultrafast, -g, "25", -f, flv, "${nginx.rtmpUrl('live', 'cam')}"]
    rtmpServer: local
    startTimeout: 5s
    onUnhealthy: [drop-publisher]
    checks:
      - { type: ffprobe, name: output, url: "${nginx.rtmpUrl('live', 'nobody')}", interval: 1s, timeout: 3s, unhealthyAfter: 4s }
`,
    );
    await x.waitForRecovery((e) => e.phase === 'action' && e.action === 'drop-publisher', { timeoutMs: 40 * S, description: 'the drop' });
    await waitFor(() => receiver.alerts().some((a) => a.alertname === 'publisher-dropped'), { timeoutMs: 10 * S, intervalMs: 100, description: 'the drop notice at the webhook' });
    const notice = receiver.alerts().find((a) => a.alertname === 'publisher-dropped');
    const seconds = Number(/unhealthy for (\d+) s/.exec(notice?.description ?? '')?.[1]);
    expect(seconds, notice?.description).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
