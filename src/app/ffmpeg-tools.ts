/** Which ffmpeg and ffprobe the daemon runs, and what that ffmpeg can do. */
import { detectCapabilities } from '../adapters/ffmpeg/detect-capabilities.js';
import { locateFfmpeg, locateFfprobe } from '../adapters/ffmpeg/locate.js';
import { errorMessage } from '../domain/error-message.js';
import type { FfmpegConfig } from '../config/types.js';
import type { FfmpegCapabilities } from '../domain/ffmpeg-capabilities.js';
import type { Logger } from '../ports/logger.js';

export interface FfmpegTools {
  readonly ffmpeg: { readonly path: string; readonly capabilities: FfmpegCapabilities };
  readonly ffprobePath: string;
}

export async function locateTools(config: FfmpegConfig, logger: Logger): Promise<FfmpegTools> {
  const ffmpeg = locateFfmpeg(config.path);
  const capabilities = await detectCapabilities(ffmpeg.path);
  logger.info({ path: ffmpeg.path, source: ffmpeg.source, version: capabilities.version }, 'using ffmpeg');
  try {
    const ffprobe = locateFfprobe(config.ffprobePath);
    logger.info({ path: ffprobe.path, source: ffprobe.source }, 'using ffprobe');
    return { ffmpeg: { path: ffmpeg.path, capabilities }, ffprobePath: ffprobe.path };
  } catch (error) {
    // Only ffprobe checks and fallback-input probes need it: they report it failing, nothing else stops.
    logger.warn({ err: errorMessage(error) }, 'no usable ffprobe; ffprobe checks will fail');
    return { ffmpeg: { path: ffmpeg.path, capabilities }, ffprobePath: config.ffprobePath ?? 'ffprobe' };
  }
}
