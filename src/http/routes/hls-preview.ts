/**
 * GET /api/v1/streams/:id/hls/:file — the dashboard's live preview of a stream that writes HLS
 * to a local folder (domain/hls-output.ts). Serves only files of that folder whose names match
 * HLS_FILE_PATTERN (a playlist or a segment: no folder, no dot file, no other extension), so
 * no request can reach another file; everything else is 404. A stream whose output path holds a
 * secret has no preview (its segment names would carry it).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { StreamwardenError } from '../../domain/errors.js';
import { HLS_FILE_PATTERN } from '../../domain/hls-output.js';
import type { AppDeps } from '../app-deps.js';
import { errorResponses, idParams } from '../schemas.js';
import { previewPlaylist } from '../stream-dto.js';

export class PreviewNotFoundError extends StreamwardenError {
  constructor(streamId: string, what: string) {
    super('NOT_FOUND', `stream "${streamId}" has no preview file ${what}`);
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

const previewParams = {
  type: 'object',
  required: ['id', 'file'],
  properties: { id: idParams.properties.id, file: { type: 'string', maxLength: 160 } },
} as const;

export function registerHlsPreviewRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'supervisor' | 'redact'>): void {
  app.get<{ Params: { id: string; file: string } }>(
    '/api/v1/streams/:id/hls/:file',
    { schema: { params: previewParams, response: errorResponses } },
    async (request, reply) => {
      const { id, file } = request.params;
      const playlist = previewPlaylist(deps.supervisor.get(id), deps.redact);
      if (playlist === undefined) throw new PreviewNotFoundError(id, '(it writes no local HLS)');
      if (!HLS_FILE_PATTERN.test(file)) throw new PreviewNotFoundError(id, 'by that name');
      const folder = path.dirname(path.resolve(playlist));
      const target = path.join(folder, file);
      // The pattern already forbids separators; this keeps the guarantee if it ever changes.
      if (path.dirname(target) !== folder) throw new PreviewNotFoundError(id, 'by that name');
      let body: Buffer;
      try {
        body = await readFile(target);
      } catch {
        throw new PreviewNotFoundError(id, 'by that name (not written yet, or already rotated out)');
      }
      const isPlaylist = file.endsWith('.m3u8');
      return reply
        .header('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
        // The playlist changes every segment; a segment never changes once listed.
        .header('cache-control', isPlaylist ? 'no-store' : 'private, max-age=60')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
}
