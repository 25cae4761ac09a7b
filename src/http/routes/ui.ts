/**
 * The web dashboard (web/, built into dist/web by `npm run build`):
 *
 *   GET /                 index.html (revalidated each time: it names the current assets)
 *   GET /assets/:file     the content-hashed scripts and styles (cached for a year, immutable)
 *
 * Every answer carries a strict Content-Security-Policy: only this origin's scripts, styles and
 * API; media from blob: (hls.js feeds the <video> through Media Source Extensions). No inline
 * script, no CDN. Asset names must match a strict pattern, so no request reaches another file.
 * When the dashboard was not built, `/` says so (404) and the API works as before.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StreamwardenError } from '../../domain/errors.js';

/** dist/web of the package, from src/http/routes (tests) and dist/http/routes (the daemon) alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ASSET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\.(?:js|css)$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export class DashboardFileNotFoundError extends StreamwardenError {
  constructor(what: string) {
    super('NOT_FOUND', what);
  }
}

export interface UiRouteOptions {
  /** The built dashboard: index.html and assets/. Default: the package's dist/web. */
  readonly dir?: string;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export function registerUiRoutes(app: FastifyInstance, options: UiRouteOptions = {}): void {
  const dir = options.dir ?? DEFAULT_WEB_DIR;
  const assets = path.join(dir, 'assets');

  app.get('/', async (_request, reply) => {
    let html: Buffer;
    try {
      html = await readFile(path.join(dir, 'index.html'));
    } catch {
      throw new DashboardFileNotFoundError('the dashboard is not built: run `npm run build`');
    }
    return secure(reply).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { params: { type: 'object', required: ['file'], properties: { file: { type: 'string', maxLength: 160 } } } } },
    async (request, reply) => {
      const { file } = request.params;
      if (!ASSET_PATTERN.test(file)) throw new DashboardFileNotFoundError('no such dashboard asset');
      let body: Buffer;
      try {
        body = await readFile(path.join(assets, file));
      } catch {
        throw new DashboardFileNotFoundError('no such dashboard asset');
      }
      return secure(reply)
        .header('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
        // Names carry a content hash: a changed file gets a new name.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    },
  );
}
