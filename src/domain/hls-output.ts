/**
 * Where a stream writes HLS, for the dashboard's preview. A stream writes HLS when its output is
 * a local path ending in `.m3u8`, or a local path after `-f hls`. For raw args the output is the
 * last argument (ffmpeg's usual form); anything with a URL scheme (rtmp://, srt://, file:) is not
 * served. Pure: the HTTP layer resolves the path and reads the files.
 */
import type { StreamSource } from './stream-spec.js';

/** The names the preview serves: a playlist or a segment, no folders, no dot files. */
export const HLS_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\.(?:m3u8|ts|m4s|mp4)$/;

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** True when `-f hls` appears in `argv`. */
function formatIsHls(argv: readonly string[]): boolean {
  return argv.some((arg, index) => arg === '-f' && argv[index + 1] === 'hls');
}

/**
 * The HLS playlist path this source writes (as configured: absolute, or relative to the daemon's
 * working directory), or undefined when it writes no local HLS.
 */
export function hlsPlaylistPath(source: StreamSource): string | undefined {
  const output = source.kind === 'pipeline' ? source.output : source.args.at(-1);
  const options = source.kind === 'pipeline' ? source.encode : source.args;
  if (output === undefined || output === '' || output.startsWith('-') || SCHEME.test(output)) return undefined;
  if (!output.endsWith('.m3u8') && !formatIsHls(options)) return undefined;
  const name = output.split('/').at(-1) ?? '';
  return HLS_FILE_PATTERN.test(name) && name.endsWith('.m3u8') ? output : undefined;
}
