import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHarness } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';
import { CONTENT_SECURITY_POLICY } from './ui.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/main-ABC123.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'main-ABC123.js'), 'console.log("dashboard")');
  writeFileSync(path.join(dir, 'assets', 'main-ABC123.css'), 'body{}');
  writeFileSync(path.join(dir, 'assets', 'notes.md'), 'not an asset');
  writeFileSync(path.join(dir, 'secret.js'), 'outside assets/');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the dashboard routes', () => {
  it('serves index.html at / with a strict Content-Security-Policy, revalidated each time', async () => {
    const response = await (await appHarness({ webDir: dir })).app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("media-src 'self' blob:");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain('/assets/main-ABC123.js');
  });

  it('serves hashed assets with their content types, cached for good', async () => {
    const h = await appHarness({ webDir: dir });
    const script = await h.app.inject('/assets/main-ABC123.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const style = await h.app.inject('/assets/main-ABC123.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each(['/assets/notes.md', '/assets/..%2Fsecret.js', '/assets/.hidden.js', '/assets/missing.js', '/assets/..%2Findex.html', '/index.html'])(
    'answers 404 for %s',
    async (url) => {
      const response = await (await appHarness({ webDir: dir })).app.inject(url);
      expect(response.statusCode).toBe(404);
      expect(response.json<ErrorBody>().error.code).toBe('NOT_FOUND');
    },
  );

  it('says the dashboard is not built when dist/web is missing, and the API still answers', async () => {
    const h = await appHarness({ webDir: path.join(dir, 'nope') });
    const response = await h.app.inject('/');
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.message).toMatch(/not built: run `npm run build`/);
    expect((await h.app.inject('/api/v1/streams')).statusCode).toBe(200);
  });

  it('is open with a token set (a read)', async () => {
    expect((await (await appHarness({ webDir: dir, token: 'tok-ui-1' })).app.inject('/')).statusCode).toBe(200);
  });
});
