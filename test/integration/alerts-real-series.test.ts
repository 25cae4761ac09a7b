/**
 * The deploy/ alert rules against the series a real run produces (issue 17, defect 4): the radio
 * scenario with a CPU threshold (a process check with a very low limit), real ffmpeg publishing
 * to nginx-rtmp, the fast layer and the watchdog, StreamwardenMetrics served on /metrics. The
 * watchdog restarts the stream again and again; /metrics is scraped once a second meanwhile, the
 * recorded samples become `promtool test rules` input series (one sample per scrape, 1 s apart),
 * and StreamwardenStreamFrequentRestarts must fire on them. Shorter figures than the defaults for
 * the recovery policy (cooldown, settle time), so that five restarts take seconds, not minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { procfsReader } from '../../src/adapters/procfs.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { registerMetricsRoutes } from '../../src/http/routes/metrics.js';
import { StreamwardenMetrics } from '../../src/metrics/streamwarden-metrics.js';
import { findNginxRtmp, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { recordScrapes, toInputSeries } from '../helpers/promtool-series.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);
const promtoolPath = requireBinary('promtool', ['/usr/bin/promtool']);
const nginxPath = findNginxRtmp();
const ALERTS = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));
const INSTANCE = '127.0.0.1:8787';

const ENCODE = '-c:v, libx264, -preset, ultrafast, -tune, zerolatency, -g, "25", -pix_fmt, yuv420p';

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined || promtoolPath === undefined || nginxPath === undefined)(
  'alert rules on the series of a real run',
  () => {
    let nginx: NginxRtmp;
    let capabilities: FfmpegCapabilities;
    let h: WatchdogIntegration | undefined;
    let metrics: StreamwardenMetrics | undefined;
    let app: FastifyInstance | undefined;
    const dirs: string[] = [];

    beforeAll(async () => {
      capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
      nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    });

    afterEach(async () => {
      metrics?.close();
      await app?.close();
      await h?.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      h = undefined;
      metrics = undefined;
      app = undefined;
    });

    afterAll(async () => {
      await nginx.stop();
    });

    it('StreamwardenStreamFrequentRestarts fires on the watchdog restarts of the radio CPU scenario', async () => {
      const x = startWatchdogHarness(
        `
streams:
  - id: radio
    args: [-re, -f, lavfi, -i, "testsrc2=size=320x240:rate=25", ${ENCODE}, -f, flv, "${nginx.rtmpUrl('live', 'radio')}"]
    startTimeout: 3s
    restart: { budget: { restarts: 20, within: 10m } }
    onUnhealthy: [restart]
    checks: [{ type: process, name: cpu, maxCpuPercent: 1, for: 1s, interval: 500ms }]
`,
        {
          ffmpegPath: ffmpegPath ?? '',
          ffprobePath: ffprobePath ?? '',
          capabilities,
          policy: { cooldownMs: 1_000, settleMs: { restart: 1_000, 'drop-publisher': 1_000, 'next-input': 1_000, notify: 0 } },
        },
      );
      h = x;
      metrics = new StreamwardenMetrics({ supervisor: x.supervisor, clock: systemClock, processStats: procfsReader(), sampleIntervalMs: 500, defaultMetrics: false });
      metrics.start();
      const served = Fastify({ logger: false });
      app = served;
      registerMetricsRoutes(served, { metrics });
      const url = `${await served.listen({ host: '127.0.0.1', port: 0 })}/metrics`;

      const recorder = recordScrapes(url, 1_000, 120);
      const restarts = (): number => x.recoveries.filter((e) => e.phase === 'action' && e.action === 'restart').length;
      await waitFor(() => restarts() >= 5 && x.events('run-finished').filter((e) => e.reason === 'restarted').length >= 5, {
        timeoutMs: 90_000,
        intervalMs: 100,
        description: `five watchdog restarts over the CPU check (now ${restarts()})`,
      });
      const before = recorder.count();
      await waitFor(() => recorder.count() >= before + 2, { timeoutMs: 10_000, description: 'two more scrapes' });
      const scrapes = await recorder.stop();

      // Held for 90 s more (as if scraped on with nothing new), so that `for: 1m` can elapse.
      const series = toInputSeries(scrapes, ['streamwarden_stream_restarts_total'], { job: 'streamwarden', instance: INSTANCE }, 90);
      const end = scrapes.length + 80; // seconds
      const test = {
        rule_files: [ALERTS],
        evaluation_interval: '1s',
        tests: [
          {
            name: 'frequent restarts on the series of a real run with watchdog restarts',
            interval: '1s',
            input_series: series,
            alert_rule_test: [
              {
                eval_time: `${end}s`,
                alertname: 'StreamwardenStreamFrequentRestarts',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'warning', job: 'streamwarden', instance: INSTANCE, stream: 'radio' },
                    exp_annotations: {
                      summary: 'Stream radio restarts frequently',
                      description: `Stream radio on ${INSTANCE} has restarted on its own more than 3 times in 10 minutes. It keeps recovering, but viewers see each restart.`,
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      const dir = mkdtempSync(join(tmpdir(), 'streamwarden-promtool-'));
      dirs.push(dir);
      const file = join(dir, 'real-series.test.yml');
      writeFileSync(file, JSON.stringify(test, null, 2)); // JSON is YAML
      const result = spawnSync(promtoolPath ?? 'promtool', ['test', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
      const output = `${result.stdout}${result.stderr}`;
      expect(output, `${output}\nseries:\n${series.map((s) => `${s.series} ${s.values}`).join('\n')}`).toContain('SUCCESS');
      expect(result.status).toBe(0);
      // The watchdog's restarts are counted apart from requested ones (reason="restarted").
      const watchdogSeries = series.find((s) => s.series.includes('stream="radio",reason="watchdog"'));
      expect(Number(watchdogSeries?.values.split(' ').at(-2))).toBeGreaterThanOrEqual(5);
    });
  },
);
