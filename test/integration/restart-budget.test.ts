/**
 * The restart budget as users configure it (issue 17, defect 5): `budget: { restarts: N }` allows
 * N automatic restarts inside the window; the failure after them enters the crash loop. Real
 * ffmpeg whose input does not exist (every run fails at start), the fast layer and the watchdog
 * over it, two streams side by side: one with `restarts: 3`, one with the default budget (5).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import type { RunFinished } from '../../src/events/stream-events.js';
import { requireBinary } from '../helpers/require-binary.js';
import { startWatchdogHarness, type WatchdogIntegration } from '../helpers/watchdog-integration.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const ffprobePath = requireBinary('ffprobe', ['/usr/bin/ffprobe']);

function streamYaml(id: string, budget: string): string {
  return `
  - id: ${id}
    args: [-i, /nonexistent/streamwarden-test/${id}.mp4, -c, copy, -f, "null", "-"]
    startTimeout: 10s
    restart: { backoffInitial: 100ms, backoffMax: 1s${budget} }
`;
}

describe.skipIf(ffmpegPath === undefined || ffprobePath === undefined)('restart budget with a real ffmpeg', () => {
  let capabilities: FfmpegCapabilities;
  let h: WatchdogIntegration | undefined;

  beforeAll(async () => {
    capabilities = await detectCapabilities(ffmpegPath ?? 'ffmpeg');
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a budget of N restarts allows exactly N automatic restarts; the next failure enters the crash loop', async () => {
    const x = startWatchdogHarness(`streams:${streamYaml('three', ', budget: { restarts: 3, within: 5m }')}${streamYaml('default', '')}`, {
      ffmpegPath: ffmpegPath ?? '',
      ffprobePath: ffprobePath ?? '',
      capabilities,
    });
    h = x;
    for (const [id, budget] of [
      ['three', 3],
      ['default', 5],
    ] as const) {
      const entered = await x.waitForEvent('state', (e) => e.streamId === id && e.to === 'crashloop', {
        description: `stream ${id} to enter the crash loop`,
        timeoutMs: 30_000,
      });
      // Every run up to the one whose end entered the crash loop.
      const runs: RunFinished[] = x.events('run-finished').filter((e) => e.streamId === id && e.at <= entered.at);
      expect(runs.map((e) => e.reason)).toEqual(Array(budget + 1).fill('failed-to-start'));
      // N automatic restarts (immediate, then backoff), then the (N + 1)th failure: crash loop.
      expect(runs.map((e) => e.next)).toEqual(['starting', ...Array<string>(budget - 1).fill('backoff'), 'crashloop']);
      expect(runs.map((e) => e.restartsInWindow)).toEqual(Array.from({ length: budget + 1 }, (_, i) => i + 1));
      const started = x.events('run-started').filter((e) => e.streamId === id && e.at <= entered.at);
      expect(started).toHaveLength(budget + 1); // the first start and N automatic restarts
      expect(x.stream(id).status()).toMatchObject({ desired: 'running' });
    }
  });
});
