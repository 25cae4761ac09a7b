/**
 * Builds the probe for one configured check of a stream. `progress` is built into the stream
 * supervisor and has no probe here. Throws ProbeSetupError (or ConditionSyntaxError for a bad
 * http condition) when the check cannot be built — a configuration problem, reported once.
 */
import { StreamwardenError } from '../../domain/errors.js';
import type { Redactor } from '../../domain/redact.js';
import type { CheckSpec } from '../../domain/stream-spec.js';
import type { Clock } from '../../ports/clock.js';
import type { CheckProbeFactory, HealthProbe, InputProbeFactory, ProbeContext } from '../../ports/health-probe.js';

export type { ProbeContext } from '../../ports/health-probe.js';
import { parseRtmpTarget } from '../../ports/rtmp-server.js';
import { ContentProbe } from './content-probe.js';
import { FfprobeProbe } from './ffprobe-probe.js';
import { HttpProbe } from './http-probe.js';
import { ProcessProbe } from './process-probe.js';
import { RtmpServerProbe } from './rtmp-server-probe.js';

export class ProbeSetupError extends StreamwardenError {
  constructor(
    readonly check: string,
    reason: string,
  ) {
    super('INVALID_CHECK', `check "${check}": ${reason}`);
  }
}

export const createHealthProbe: CheckProbeFactory = (check: CheckSpec, context: ProbeContext): HealthProbe => {
  const common = { timeoutMs: check.timeoutMs, redact: context.redact, clock: context.clock };
  switch (check.type) {
    case 'progress':
      throw new ProbeSetupError(check.name, 'the progress check is built into the stream supervisor');
    case 'ffprobe': {
      const settings = check.settings;
      return new FfprobeProbe({ ...common, ffprobePath: context.ffprobePath, url: settings.url, expect: settings.expect });
    }
    case 'http': {
      const settings = check.settings;
      return new HttpProbe({ ...common, url: settings.url, status: settings.status, conditions: settings.conditions });
    }
    case 'process': {
      const settings = check.settings;
      if (context.pid === undefined) throw new ProbeSetupError(check.name, 'no pid source for the process check');
      return new ProcessProbe({
        ...common,
        pid: context.pid,
        forMs: settings.forMs,
        ...(settings.maxCpuPercent !== undefined && { maxCpuPercent: settings.maxCpuPercent }),
        ...(settings.maxRssBytes !== undefined && { maxRssBytes: settings.maxRssBytes }),
      });
    }
    case 'rtmp-server': {
      const settings = check.settings;
      if (context.rtmpServer === undefined) throw new ProbeSetupError(check.name, 'the stream names no rtmpServer');
      if (context.outputUrl === undefined) throw new ProbeSetupError(check.name, 'the stream has no RTMP output URL');
      return new RtmpServerProbe({
        ...common,
        server: context.rtmpServer,
        target: parseRtmpTarget(context.outputUrl),
        ...(settings.minBitrateKbps !== undefined && { minBitrateKbps: settings.minBitrateKbps }),
      });
    }
    case 'content': {
      const settings = check.settings;
      if (context.outputUrl === undefined) throw new ProbeSetupError(check.name, 'the stream has no output URL to sample');
      return new ContentProbe({
        ...common,
        ffmpegPath: context.ffmpegPath,
        url: context.outputUrl,
        durationMs: settings.durationMs,
        black: settings.black,
        freeze: settings.freeze,
        silence: settings.silence,
      });
    }
  }
};

/** Fallback inputs are probed with ffprobe of their URL; generated (`lavfi:`) ones never. */
export function ffprobeInputProbes(options: { readonly ffprobePath: string; readonly redact: Redactor; readonly clock: Clock }): InputProbeFactory {
  return (input, _index, timeoutMs) =>
    input.url.startsWith('lavfi:')
      ? undefined
      : new FfprobeProbe({ ffprobePath: options.ffprobePath, url: input.url, expect: {}, timeoutMs, redact: options.redact, clock: options.clock });
}
