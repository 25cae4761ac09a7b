/**
 * The dashboard of a daemon with an API token, and stream keys in its configuration:
 *  - an action without the token is refused and the dashboard asks for it (an accessible
 *    dialog); cancelling sends nothing, a wrong token is said so, the right one goes through and
 *    is kept for the tab;
 *  - no stream key appears anywhere: the served HTML, every asset, every API answer the page
 *    fetched (the stream pages included), the SSE data and the rendered page.
 * Screenshots: test-artifacts/dashboard/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { CHROMIUM, launchChromium, screenshotPath } from '../helpers/browser.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { requireBinary } from '../helpers/require-binary.js';
import { recordSse, type SseRecording } from '../helpers/sse-recorder.js';
import { waitFor } from '../helpers/wait-for.js';

const FFMPEG = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const UI_TIMEOUT = 15_000;
const TOKEN = 'tok-dash-5e6f7a81';
const KEY = 'CamKey9d8c7b6a5f';

function configYaml(dir: string, ffmpeg: string, port: number): string {
  const hlsOptions = ['-f', 'hls', '-hls_time', '1', '-hls_list_size', '4', '-hls_flags', 'delete_segments'];
  return `
server:
  listen: 127.0.0.1:${port}
  token: \${STREAMWARDEN_TOKEN}
storage:
  path: ${JSON.stringify(path.join(dir, 'streamwarden.db'))}
ffmpeg:
  path: ${JSON.stringify(ffmpeg)}
streams:
  - id: open
    name: Open radio
    inputs: [lavfi:sine=frequency=440:sample_rate=48000]
    encode: ${JSON.stringify(['-c:a', 'aac', '-b:a', '64k', ...hlsOptions])}
    output: ${JSON.stringify(path.join(dir, 'hls', 'open', 'index.m3u8'))}
    stop: { interruptGrace: 2s, terminateGrace: 2s }
  # Publishes to a server that is not there, with the key in the URL: fails and retries.
  - id: keyed
    name: Keyed publisher
    inputs: [lavfi:sine=frequency=220]
    encode: [-c:a, aac, -f, flv]
    output: "rtmp://127.0.0.1:1/live/keyed-\${CAM_KEY}?key=\${CAM_KEY}"
    restart: { backoffInitial: 500ms, backoffMax: 2s, budget: { restarts: 100, within: 1m } }
  # Writes HLS under a folder named after the key: ffmpeg's log names it; no preview is offered.
  - id: keyedhls
    name: Keyed HLS
    args: ${JSON.stringify(['-re', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-c:a', 'aac', ...hlsOptions, path.join(dir, 'hls', '${CAM_KEY}', 'index.m3u8')])}
    stop: { interruptGrace: 2s, terminateGrace: 2s }
`;
}

describe.skipIf(FFMPEG === undefined || CHROMIUM === undefined)('the dashboard with a token and stream keys', () => {
  let dir: string;
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Everything the browser and our crawler received, searched for the key at the end. */
  const seen: { what: string; text: string }[] = [];
  const sse = new AbortController();
  let recording: SseRecording | undefined;

  const base = () => daemon?.base ?? '';
  const stream = async (id: string) => (await (await fetch(`${base()}/api/v1/streams/${id}`, { signal: AbortSignal.timeout(5_000) })).json()) as StreamDto;
  const card = (id: string) => page.locator(`[data-stream="${id}"]`);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-dashboard-token-'));
    for (const folder of ['open', KEY]) mkdirSync(path.join(dir, 'hls', folder), { recursive: true });
    daemon = await startDaemon(dir, (port) => configYaml(dir, FFMPEG ?? 'ffmpeg', port), { STREAMWARDEN_TOKEN: TOKEN, CAM_KEY: KEY });
    // The event stream, read as the browser reads it (no token: reads are open).
    const events = await fetch(`${base()}/api/v1/events`, { signal: sse.signal });
    expect(events.status).toBe(200);
    recording = recordSse(events);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (!response.url().startsWith(base()) || type.startsWith('text/event-stream') || type.startsWith('video/')) return;
      void response
        .text()
        .then((text) => seen.push({ what: `browser ${response.url()}`, text: `${JSON.stringify(response.headers())}\n${text}` }))
        .catch(() => {});
    });
  });

  afterAll(async () => {
    sse.abort();
    await recording?.done;
    try {
      await browser?.close();
    } finally {
      try {
        await daemon?.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('asks for the token when an action is refused: cancel sends nothing, a wrong token is said so, the right one works', async () => {
    await page.goto(`${base()}/`);
    await card('open').and(page.locator('[data-tone="healthy"]')).waitFor({ timeout: UI_TIMEOUT });
    for (const id of ['open', 'keyedhls']) {
      const pid = await waitFor(async () => (await stream(id)).pid, { timeoutMs: UI_TIMEOUT, description: `${id} to run` });
      daemon?.track(pid);
    }

    // Without the token: refused, the dialog asks; cancelling leaves the stream alone.
    const dialog = page.getByRole('dialog', { name: 'Token required' });
    await page.getByRole('button', { name: 'Stop Open radio', exact: true }).click();
    await dialog.waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate('document.activeElement.id')).toBe('token-input');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#announcer', { hasText: 'Stop Open radio was not sent: no token given' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await stream('open')).toMatchObject({ desired: 'running', state: 'running' });

    // A wrong token: refused again, said so in the dialog.
    await page.getByRole('button', { name: 'Stop Open radio', exact: true }).click();
    await dialog.getByLabel('API token').fill('not-the-token');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'That token was refused' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await dialog.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: screenshotPath('token-dialog-wrong') });
    expect(await stream('open')).toMatchObject({ desired: 'running', state: 'running' });

    // The right one: the stop goes through.
    await dialog.getByLabel('API token').fill(TOKEN);
    await dialog.getByLabel('API token').press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await card('open').and(page.locator('[data-state="stopped"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await stream('open')).toMatchObject({ desired: 'stopped', state: 'stopped' });

    // Kept for the tab: the next action needs no dialog.
    await page.getByRole('button', { name: 'Start Open radio', exact: true }).click();
    await card('open').and(page.locator('[data-tone="healthy"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await dialog.isVisible()).toBe(false);
    daemon?.track(await waitFor(async () => (await stream('open')).pid, { timeoutMs: UI_TIMEOUT, description: 'open to run again' }));
  });

  it('never shows a stream key: not in the HTML, assets, API answers, events or the page', async () => {
    // The keyed publisher has failed a few times (its errors name the URL, masked).
    await waitFor(async () => (await stream('keyed')).restarts >= 2, { timeoutMs: 20_000, intervalMs: 200, description: 'keyed to fail twice' });
    for (const id of ['keyed', 'keyedhls', 'open']) {
      await page.goto(`${base()}/#/streams/${id}`);
      await page.locator(`[data-stream-page="${id}"]`).waitFor({ timeout: UI_TIMEOUT });
      await expect.poll(() => page.locator('pre.log').textContent(), { timeout: UI_TIMEOUT }).not.toMatch(/^(\(no output yet\))?$/);
      await page.locator('tr[data-run]').first().waitFor({ timeout: UI_TIMEOUT });
      seen.push({ what: `page #/streams/${id}`, text: await page.content() });
    }
    expect(await page.locator('pre.log').textContent()).toBeTruthy();
    const keyedPage = await stream('keyedhls');
    expect(keyedPage.preview).toBeNull();
    await page.goto(`${base()}/#/streams/keyed`);
    await expect.poll(() => page.locator('pre.log').textContent(), { timeout: UI_TIMEOUT }).toContain('***');
    await page.screenshot({ path: screenshotPath('keyed-stream-masked'), fullPage: true });
    for (const route of ['#/', '#/engines', '#/events']) {
      await page.goto(`${base()}/${route}`);
      await page.locator('main h1').waitFor({ timeout: UI_TIMEOUT });
      seen.push({ what: `page ${route}`, text: await page.content() });
    }

    // Our own crawl: / and every asset it names, and the chunks those name.
    const fetchText = async (url: string) => {
      const response = await fetch(`${base()}${url}`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status, url).toBe(200);
      const text = await response.text();
      seen.push({ what: `crawl ${url}`, text: `${JSON.stringify([...response.headers])}\n${text}` });
      return text;
    };
    const html = await fetchText('/');
    const assets = new Set([...html.matchAll(/\/assets\/([\w.-]+)/g)].map((m) => m[1]));
    for (const asset of [...assets]) {
      const text = await fetchText(`/assets/${asset}`);
      for (const m of text.matchAll(/\.\/([\w.-]+-[A-Z0-9]{8}\.js)/g)) assets.add(m[1]);
    }
    for (const asset of assets) if (!seen.some((s) => s.what === `crawl /assets/${asset}`)) await fetchText(`/assets/${asset}`);
    expect([...assets].some((a) => a?.startsWith('hls'))).toBe(true);
    seen.push({ what: 'SSE', text: recording?.text() ?? '' });

    // Enough was seen to mean something: the API pages, masked errors and events.
    const apiAnswers = seen.filter((s) => s.what.includes('/api/v1/'));
    expect(apiAnswers.length).toBeGreaterThan(10);
    expect(seen.some((s) => s.what.includes('/api/v1/streams/keyed/logs'))).toBe(true);
    expect(recording?.text()).toContain('event: health');
    expect(seen.map((s) => s.text).join('\n')).toContain('***');
    for (const { what, text } of seen) {
      expect(text.includes(KEY), `${what} shows the stream key`).toBe(false);
      expect(text.includes(TOKEN), `${what} shows the API token`).toBe(false);
    }
  });
});
