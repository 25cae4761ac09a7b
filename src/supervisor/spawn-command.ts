/**
 * The ffmpeg arguments for the next run: the source as the engine binding prepares it (which
 * may refuse the spawn), built into an argv for the input in use.
 */
import { buildArgv } from '../domain/argv.js';
import { errorMessage } from '../domain/error-message.js';
import type { FfmpegCapabilities } from '../domain/ffmpeg-capabilities.js';
import type { StreamSpec } from '../domain/stream-spec.js';
import type { Logger } from '../ports/logger.js';
import type { PreparedSource, SourcePreparer } from '../ports/source-preparer.js';

export type SpawnCommand = { readonly ok: true; readonly args: string[] } | { readonly ok: false; readonly error: string };

export function spawnCommand(
  spec: StreamSpec,
  inputIndex: number,
  deps: { readonly capabilities: FfmpegCapabilities; readonly prepareSource?: SourcePreparer; readonly log: Logger },
): SpawnCommand {
  const prepared = prepareSource(spec, deps.prepareSource);
  if (!prepared.ok) return prepared;
  try {
    return { ok: true, args: buildArgv(prepared.source, deps.capabilities, { inputIndex }) };
  } catch (error) {
    // Cannot happen for a validated spec; report it as a failure to start rather than throw.
    deps.log.error({ err: errorMessage(error) }, 'could not build ffmpeg arguments');
    return { ok: true, args: [] };
  }
}

function prepareSource(spec: StreamSpec, prepare: SourcePreparer | undefined): PreparedSource {
  if (!prepare) return { ok: true, source: spec.source };
  try {
    return prepare(spec);
  } catch (error) {
    return { ok: false, error: `preparing the source failed: ${errorMessage(error)}` };
  }
}
