/**
 * The motherstream behaviour as its users run it (issue 17): an external DJ publishes to
 * `/live/mother` on nginx-rtmp; our stream relays it (`-c copy`) and an ffprobe check probes
 * that URL; the queue is `failover: rotate`. The DJ's ffmpeg is SIGSTOPped: it stays connected
 * to nginx, nothing flows. After the check's threshold the watchdog must drop THAT publisher
 * (the stale one upstream), not our own relay session, and the next source goes live.
 *
 * 1. the relay stays `running` (long stall timeout): drop-publisher targets the checked input;
 * 2. the relay stalls, restarts, times out and ends in crash loop: the ladder still runs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { publisherPool, type LavfiPublisher, type PublisherPool } from '../helpers/ffmpeg-publisher.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const nginxPath = findNginxRtmp();
const KEY = 'relayKey7331';

/** The check's figures: every 1 s, 4 s timeout (ffprobe of live RTMP takes 2 to 3 s), unhealthy after 6 s without a success. */
const INTERVAL_S = 1;
const TIMEOUT_S = 4;
const THRESHOLD_S = 6;

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || nginxPath === undefined)('watchdog: a stale DJ on the relayed input is kicked', () => {
  let nginx: NginxRtmp;
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;
  let djs: PublisherPool;

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
    // A frozen DJ must stay connected unless we drop it: nginx would drop an idle publisher after 10 s.
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx', dropIdlePublisher: '120s' });
    djs = publisherPool(ffmpegPath ?? 'ffmpeg', (name) => nginx.rtmpUrl('live', name));
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
    await djs.stopAll();
  });

  /** The DJ on /live/mother and the next one in the queue on /live/dj2, both live. */
  async function twoDJs(): Promise<LavfiPublisher> {
    const dj = djs.publish('mother');
    djs.publish('dj2');
    await nginx.waitForPublishing('live', 'mother', { active: true });
    await nginx.waitForPublishing('live', 'dj2', { active: true });
    return dj;
  }

  afterAll(async () => {
    await nginx.stop();
  });

  /** The relay of /live/mother (then /live/dj2) to /live/relay-KEY; `tuning` sets the fast layer. */
  function startRelay(tuning: string): WatchdogIntegration {
    const mother = nginx.rtmpUrl('live', 'mother');
    const output = `rtmp://127.0.0.1:${nginx.rtmpPort}/live/relay-\${RELAY_KEY}`;
    h = startWatchdogHarness(
      `
rtmpServers:
  - { id: local, type: nginx-rtmp, statUrl: "${nginx.statUrl}", controlUrl: "${nginx.controlUrl}" }
streams:
  - id: relay
    inputs: ["${mother}", "${nginx.rtmpUrl('live', 'dj2')}"]
    output: "${output}"
    encode: [-c, copy, -f, flv]
    rtmpServer: local
    failover: rotate
${tuning}
    onUnhealthy: [notify, drop-publisher]
    checks:
      - { type: ffprobe, name: mother, url: "${mother}", interval: ${INTERVAL_S}s, timeout: ${TIMEOUT_S}s, unhealthyAfter: ${THRESHOLD_S}s, expect: { video: true } }
`,
      { ffmpegPath: ffmpegPath ?? '', ffprobePath: ffprobePath ?? '', capabilities, env: { RELAY_KEY: KEY } },
    );
    return h;
  }

  /** Freezes the DJ on /live/mother; resolves once nginx's /stat no longer lists it, with the seconds it took. */
  async function freezeAndAwaitKick(x: WatchdogIntegration, dj: LavfiPublisher): Promise<number> {
    await nginx.waitForPublishing('live', `relay-${KEY}`, { active: true });
    await waitFor(() => x.watchdog.view('relay')?.checks.find((c) => c.name === 'mother')?.status === 'passing', {
      timeoutMs: 30_000,
      description: 'the check of /live/mother to pass',
    });
    djs.freeze(dj);
    const frozenAt = Date.now();
    // The threshold counts from the start of the first failed probe (check-state.ts), so the probe
    // timeout adds nothing: the threshold plus one interval, plus the drop's round trip.
    await waitFor(async () => !(await nginx.isPublishing('live', 'mother')), {
      timeoutMs: (THRESHOLD_S + INTERVAL_S + TIMEOUT_S + 5) * 1_000,
      intervalMs: 100,
      description: 'nginx /stat to no longer list the frozen DJ on /live/mother',
    });
    const goneAfter = (Date.now() - frozenAt) / 1_000;
    expect(x.recoveries.some((e) => e.phase === 'action' && e.action === 'drop-publisher')).toBe(true);
    return goneAfter;
  }

  async function expectNextSourceLive(x: WatchdogIntegration): Promise<void> {
    await waitFor(() => x.stream('relay').activeInput === 1, { timeoutMs: 10_000, description: 'the queue to move to the next source' });
    await nginx.waitForPublishing('live', `relay-${KEY}`, { active: true, timeoutMs: 20_000 });
    await x.waitForHealth('relay', 'healthy', { timeoutMs: 30_000 });
    expect(await nginx.isPublishing('live', 'mother')).toBe(false);
    expect(JSON.stringify([x.recoveries, x.notifications, x.watchdog.view('relay')])).not.toContain(KEY);
  }

  it('relay running: drop-publisher kicks the frozen DJ of the checked input (not our session), then the next source goes live', async () => {
    const dj = await twoDJs();
    const x = startRelay('    startTimeout: 10s\n    stallTimeout: 60s');
    await x.waitForHealth('relay', 'healthy', { timeoutMs: 30_000 });
    expect(x.stream('relay').activeInput).toBe(0);

    const goneAfter = await freezeAndAwaitKick(x, dj);
    // A probe in flight at the freeze may have started up to one interval before it.
    expect(goneAfter).toBeGreaterThanOrEqual(THRESHOLD_S - INTERVAL_S);
    // Within the threshold plus one interval; 1.5 s for the drop's HTTP call and the /stat poll.
    expect(goneAfter).toBeLessThanOrEqual(THRESHOLD_S + INTERVAL_S + 1.5);
    expect(x.notifications[0]).toMatchObject({ kind: 'unhealthy', streamId: 'relay' });
    await expectNextSourceLive(x);
  });

  it('relay stalled and being restarted by the fast layer: the ladder still runs and kicks the frozen DJ', async () => {
    const dj = await twoDJs();
    const x = startRelay('    startTimeout: 5s\n    stallTimeout: 2s\n    restart: { backoffInitial: 200ms, backoffMax: 30s, budget: { restarts: 1, within: 10m } }');
    await x.waitForHealth('relay', 'healthy', { timeoutMs: 30_000 });

    const frozenAt = Date.now();
    await freezeAndAwaitKick(x, dj);
    // The fast layer was acting on it by then (stalled, restarted, start timeouts, then crash loop),
    // and the ladder ran anyway.
    const dropAt = x.recoveries.find((e) => e.phase === 'action' && e.action === 'drop-publisher')?.at ?? 0;
    const during = x.events('state').filter((e) => e.at >= frozenAt && e.at <= dropAt);
    expect(during.map((e) => e.to)).toContain('starting');
    expect(during.at(-1)?.to).not.toBe('running');
    await expectNextSourceLive(x);
  });
});
