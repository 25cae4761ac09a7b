/**
 * Debian's Chromium driven by playwright-core, for the dashboard's end-to-end tests. Headless,
 * no sandbox (containers), nothing that phones home. Screenshots go to test-artifacts/dashboard/
 * (gitignored).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './built-cli.js';
import { requireBinary } from './require-binary.js';

export const CHROMIUM = requireBinary('chromium', ['/usr/bin/chromium']);

export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts', 'dashboard');

const ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication',
  // The HLS preview starts muted without a click.
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchChromium(): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error('chromium is missing (the test should have been skipped)');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}

/** Where a screenshot named `name` goes (the folder is created). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}
