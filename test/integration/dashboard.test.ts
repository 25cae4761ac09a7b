/**
 * The dashboard in Chromium against the real daemon (built CLI) supervising real ffmpeg streams
 * that write HLS: it loads with every stream green, a stream whose ffmpeg is SIGKILLed turns red
 * and back to green without a reload, the stream page shows checks, runs with their exit reasons,
 * the log and a playing HLS preview, the stop button stops a stream, and the page fits a phone in
 * dark mode. Screenshots: test-artifacts/dashboard/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { CHROMIUM, launchChromium, screenshotPath } from '../helpers/browser.js';
import { daemonConfigHead, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startFakeHttpServer, type FakeHttpServer } from '../helpers/fake-http-server.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const FFMPEG = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const UI_TIMEOUT = 15_000;

function configYaml(dir: string, ffmpeg: string, port: number, engines: { good: number; bad: number }, checkUrl: string): string {
  const hls = (id: string) => path.join(dir, 'hls', id, 'index.m3u8');
  const video = (id: string, rate: number) =>
    JSON.stringify([
      '-re', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${rate}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(rate), '-b:v', '200k',
      '-f', 'hls', '-hls_time', '1', '-hls_list_size', '4', '-hls_flags', 'delete_segments', hls(id),
    ]);
  return `
${daemonConfigHead({ port, store: path.join(dir, 'streamwarden.db'), ffmpeg: ffmpeg })}
engines:
  - { id: ace-good, host: 127.0.0.1, port: ${engines.good}, capacity: 2 }
  - { id: ace-bad, host: 127.0.0.1, port: ${engines.bad} }
enginePolling: { interval: 500ms, timeout: 1s, failureThreshold: 1, successThreshold: 1, grace: 0s }
streams:
  - id: cam
    name: Camera one
    args: ${video('cam', 15)}
    # The first restart is immediate; the second waits, long enough to be seen red.
    restart: { backoffInitial: 3s, backoffMax: 3s, budget: { restarts: 20, within: 5m } }
    stop: { interruptGrace: 2s, terminateGrace: 2s }
  - id: tone
    name: Tone radio
    inputs: [lavfi:sine=frequency=440:sample_rate=48000]
    encode: [-c:a, aac, -b:a, 64k, -f, hls, -hls_time, "1", -hls_list_size, "4", -hls_flags, delete_segments]
    output: ${JSON.stringify(hls('tone'))}
    stop: { interruptGrace: 2s, terminateGrace: 2s }
    startTimeout: 2s
    # A check the test turns red and green again: the watchdog restarts the stream and records it.
    checks:
      - { type: http, name: studio, url: ${JSON.stringify(checkUrl)}, interval: 300ms, timeout: 1s, failureThreshold: 2 }
    onUnhealthy: [restart]
`;
}

describe.skipIf(FFMPEG === undefined || CHROMIUM === undefined)('the dashboard against a running daemon', () => {
  let dir: string;
  let daemon: DaemonProcess | undefined;
  /** Fake HTTP servers: two engines and the tone stream's studio check. */
  const engines: FakeHttpServer[] = [];
  let studioUp = true;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  const api = async <T>(url: string): Promise<T> => {
    const response = await fetch(`${daemon?.base ?? ''}${url}`, { signal: AbortSignal.timeout(5_000) });
    return (await response.json()) as T;
  };
  const stream = (id: string) => api<StreamDto>(`/api/v1/streams/${id}`);
  const card = (id: string) => page.locator(`[data-stream="${id}"]`);
  /** A computed style of the first element matching `selector` (page code runs as text: no DOM types here). */
  const style = async (selector: string, property: 'color' | 'backgroundColor') =>
    String(await page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-dashboard-'));
    // ffmpeg's HLS muxer does not create folders.
    for (const id of ['cam', 'tone']) mkdirSync(path.join(dir, 'hls', id), { recursive: true });
    // Acestream-style engines: one answers its status, one fails.
    const good = await startFakeHttpServer((request) =>
      request.path === '/server/api' && request.query.get('method') === 'get_status' ? { body: { result: { status: 'idle' }, error: null } } : { status: 404, body: 'not found' },
    );
    engines.push(good);
    const bad = await startFakeHttpServer(() => ({ status: 500, body: 'Internal Server Error' }));
    engines.push(bad);
    const studio = await startFakeHttpServer(() => (studioUp ? { body: 'on air' } : { status: 503, body: 'studio off air' }));
    engines.push(studio);
    const portOf = (server: FakeHttpServer) => Number(new URL(server.url).port);
    daemon = await startDaemon(dir, (port) => configYaml(dir, FFMPEG ?? 'ffmpeg', port, { good: portOf(good), bad: portOf(bad) }, `${studio.url}/status`));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await daemon?.stop();
      } finally {
        for (const engine of engines) await engine.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('loads at / with every stream green, its figures, and a live connection', async () => {
    await page.goto(`${daemon?.base ?? ''}/`);
    await expect.poll(() => page.title()).toBe('Streams · streamwarden');
    for (const id of ['cam', 'tone']) {
      await card(id).and(page.locator('[data-tone="healthy"]')).waitFor({ timeout: UI_TIMEOUT });
      const pid = (await stream(id)).pid;
      if (pid !== null) daemon?.track(pid);
    }
    await page.locator('#connection[data-connection="live"]').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => card('cam').locator('.metric').filter({ hasText: 'FPS' }).locator('.value').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^1[45]\.\d$/);
    await expect.poll(() => card('cam').locator('.metric').filter({ hasText: 'Last check' }).locator('.value').textContent(), { timeout: UI_TIMEOUT }).toMatch(/ago|just now/);
    expect(await card('tone').locator('.sub').textContent()).toContain('input lavfi:sine=frequency=440');
    await expect.poll(() => page.locator('#streams-summary').textContent()).toBe('2 of 2 healthy');
    // By keyboard: the skip link comes first and moves focus to the content, not to another page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    expect(new URL(page.url()).hash).toBe('');
    // Real buttons with names.
    await page.getByRole('button', { name: 'Restart Camera one', exact: true }).focus();
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Restart Camera one');
    await page.screenshot({ path: screenshotPath('overview'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('turns a stream red when its ffmpeg is killed, and green again, without a reload', async () => {
    // A reload would drop this mark (page scripts run in the browser: evaluated as text).
    await page.evaluate('window.notReloaded = true');

    // The first restart after a failure is immediate; the second one is delayed (backoff): red.
    for (const round of [1, 2]) {
      const before = await stream('cam');
      expect(before.state).toBe('running');
      expect(before.pid).not.toBeNull();
      process.kill(before.pid ?? 0, 'SIGKILL');
      if (round === 2) {
        await card('cam').and(page.locator('[data-tone="unhealthy"]')).waitFor({ timeout: UI_TIMEOUT });
        expect(await style('[data-stream="cam"] .dot', 'backgroundColor')).toBe('rgb(198, 40, 40)');
        await page.screenshot({ path: screenshotPath('stream-killed-red'), fullPage: true });
      }
      const pid = await waitFor(
        async () => {
          const s = await stream('cam');
          return s.state === 'running' && s.pid !== null && s.pid !== before.pid ? s.pid : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100, description: `cam to run again after kill ${round}` },
      );
      daemon?.track(pid);
    }
    await card('cam').and(page.locator('[data-tone="healthy"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await style('[data-stream="cam"] .dot', 'backgroundColor')).toBe('rgb(26, 127, 55)');
    await expect.poll(() => card('cam').locator('.metric').filter({ hasText: 'Restarts' }).locator('.value').textContent()).toBe('2');
    // The feed saw the transitions.
    await page.locator('.recent-events .feed-item', { hasText: 'health unhealthy' }).first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.locator('.feed-full .feed-item[data-event-type="recovery"]', { hasText: 'run ended (killed)' }).first().waitFor({ timeout: UI_TIMEOUT });
    // A page opened now shows what just happened: the feed starts with the recent events.
    await page.reload();
    await page.locator('.feed-full .feed-item[data-event-type="recovery"]', { hasText: 'run ended (killed)' }).first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    await card('cam').waitFor();
  });

  it('shows a stream page: checks, runs with exit reasons, the log and a playing HLS preview', async () => {
    await page.goto(`${daemon?.base ?? ''}/#/`);
    await page.getByRole('link', { name: 'Camera one' }).click();
    await page.locator('[data-stream-page="cam"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    await page.locator('tr[data-check="progress"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('tr[data-check="progress"]').textContent()).toMatch(/advancing/);
    await expect.poll(() => page.locator('tr[data-run]').allTextContents(), { timeout: UI_TIMEOUT }).toEqual(
      expect.arrayContaining([expect.stringMatching(/killed/), expect.stringMatching(/running/)]),
    );
    await expect.poll(() => page.locator('pre.log').textContent(), { timeout: UI_TIMEOUT }).toMatch(/index\d+\.ts/);
    await page.locator('.preview[data-preview-state="playing"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('stream-page'), fullPage: true });
    await page.getByRole('link', { name: '← All streams' }).click();
    await card('cam').waitFor();
  });

  it('shows a watchdog recovery on the stream page: what failed, what was done, time to detect and to recover', async () => {
    await page.goto(`${daemon?.base ?? ''}/#/streams/tone`);
    await page.locator('[data-stream-page="tone"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('tr[data-check="studio"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    studioUp = false;
    await page.locator('tr[data-check="studio"][data-tone="unhealthy"]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('tr[data-check="studio"]').textContent()).toMatch(/503/);
    await page.locator('.timeline-item', { hasText: 'restart' }).first().waitFor({ timeout: UI_TIMEOUT });
    studioUp = true;
    const recovered = page.locator('.timeline-item', { hasText: 'recovered after' }).first();
    await recovered.waitFor({ timeout: 20_000 });
    const text = await recovered.textContent();
    expect(text).toMatch(/Detected after \d/);
    expect(text).toMatch(/restart: /);
    // What failed: the check and its message, not "no evidence".
    expect(text).toMatch(/check-failed/);
    expect(text).toMatch(/studio: HTTP 503/);
    await page.locator('[data-stream-page="tone"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    const pid = (await stream('tone')).pid;
    if (pid !== null) daemon?.track(pid);
    await page.screenshot({ path: screenshotPath('stream-recovery'), fullPage: true });
    await page.getByRole('link', { name: '← All streams' }).click();
    await card('tone').waitFor();
  });

  it('stops a stream with its stop button', async () => {
    // Each test starts from its own page, so that one failing does not fail the next.
    await page.goto(`${daemon?.base ?? ''}/#/`);
    await card('tone').and(page.locator('[data-tone="healthy"]')).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('button', { name: 'Stop Tone radio', exact: true }).click();
    await waitFor(async () => (await stream('tone')).state === 'stopped', {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: `tone to be stopped (daemon log:\n${daemon?.output().slice(-3_000) ?? ''})`,
    });
    await card('tone').and(page.locator('[data-state="stopped"][data-tone="unknown"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await card('tone').locator('.badge').textContent()).toBe('stopped');
    const tone = await stream('tone');
    expect(tone).toMatchObject({ desired: 'stopped', state: 'stopped', pid: null });
  });

  it('shows the engines: healthy of total, each one coloured, with last check and last use', async () => {
    await page.getByRole('link', { name: 'Engines', exact: true }).click();
    await page.getByRole('heading', { name: 'Engines', level: 1 }).waitFor();
    await page.locator('tr[data-engine="ace-good"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('tr[data-engine="ace-bad"][data-tone="unhealthy"]').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.locator('.kpi').first().textContent(), { timeout: UI_TIMEOUT }).toBe('Healthy1 / 2');
    // The colours themselves (light mode): green and red badges.
    expect(await style('tr[data-engine="ace-good"] .badge', 'color')).toBe('rgb(26, 127, 55)');
    expect(await style('tr[data-engine="ace-bad"] .badge', 'color')).toBe('rgb(198, 40, 40)');
    const good = await page.locator('tr[data-engine="ace-good"]').textContent();
    expect(good).toMatch(/ago|just now/);
    expect(good).toContain('Never'); // never handed out
    expect(await page.getByRole('link', { name: 'Engines', exact: true }).getAttribute('aria-current')).toBe('page');
    await page.screenshot({ path: screenshotPath('engines'), fullPage: true });
    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    await card('cam').waitFor();
  });

  it('fits a phone in dark mode: cards stack, no horizontal scroll', async () => {
    const phone = await browser?.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true });
    try {
      const small = await phone?.newPage();
      if (!small) throw new Error('no page');
      await small.goto(`${daemon?.base ?? ''}/`);
      await small.locator('[data-stream="cam"][data-tone="healthy"]').waitFor({ timeout: UI_TIMEOUT });
      const { scrollWidth, innerWidth, background } = await small.evaluate<{ scrollWidth: number; innerWidth: number; background: string }>(
        '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, background: getComputedStyle(document.body).backgroundColor })',
      );
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      expect(background).toBe('rgb(15, 20, 25)');
      const [a, b] = await Promise.all([small.locator('[data-stream="cam"]').boundingBox(), small.locator('[data-stream="tone"]').boundingBox()]);
      expect(a?.x).toBe(b?.x);
      await small.screenshot({ path: screenshotPath('phone-dark'), fullPage: true });
      await small.goto(`${daemon?.base ?? ''}/#/streams/cam`);
      await small.locator('[data-stream-page="cam"]').waitFor({ timeout: UI_TIMEOUT });
      await small.locator('tr[data-check="progress"]').waitFor({ timeout: UI_TIMEOUT });
      expect(await small.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await small.screenshot({ path: screenshotPath('phone-dark-stream'), fullPage: true });
    } finally {
      await phone?.close();
    }
  });
});
