/**
 * The `rtmp-server` check: ask the configured RTMP server whether our stream is published, and
 * whether its inbound bitrate is above `minBitrateKbps`. A bitrate the server has not measured
 * yet (nginx-rtmp's first 10 s, MediaMTX's first look) passes with a note; the start grace of
 * the watchdog covers the rest. Messages name the server and the app, never the stream key.
 */
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { HealthProbe, ProbeResult } from '../../ports/health-probe.js';
import type { RtmpServer, RtmpTarget } from '../../ports/rtmp-server.js';
import { Deadline, guardedRun, type ProbeCommonOptions } from './probe-support.js';
import { errorMessage } from '../../domain/error-message.js';

export interface RtmpServerProbeOptions extends ProbeCommonOptions {
  readonly server: RtmpServer;
  /** Where our stream publishes (see parseRtmpTarget). */
  readonly target: RtmpTarget;
  readonly minBitrateKbps?: number;
}

function kbps(value: number): string {
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} kbps`;
}

export class RtmpServerProbe implements HealthProbe {
  readonly kind = 'rtmp-server';
  private readonly redact: Redactor;
  private readonly clock: Clock;

  constructor(private readonly options: RtmpServerProbeOptions) {
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  run(signal: AbortSignal): Promise<ProbeResult> {
    return guardedRun(this.clock, this.redact, async () => {
      const { server, target, minBitrateKbps } = this.options;
      const where = `RTMP server "${server.id}" (app "${target.app}")`;
      const deadline = new Deadline(signal, this.options.timeoutMs);
      try {
        const lookup = server.findPublisher(target.app, target.name, { signal: deadline.signal });
        // The adapter honours the signal; the race makes the deadline hard even if one did not.
        const aborted = new Promise<'aborted'>((resolve) => {
          if (deadline.signal.aborted) resolve('aborted');
          deadline.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
        });
        lookup.catch(() => undefined);
        const publisher = await Promise.race([lookup, aborted]).catch((error: unknown) => {
          if (deadline.signal.aborted) return 'aborted' as const;
          throw error;
        });
        if (publisher === 'aborted') return { ok: false, message: deadline.reason() };
        if (publisher === undefined) return { ok: false, message: `not published on ${where}` };
        const details = {
          server: server.id,
          app: publisher.app,
          clientId: publisher.clientId,
          bytesIn: publisher.bytesIn,
          ...(publisher.bitrateKbps !== undefined && { bitrateKbps: publisher.bitrateKbps }),
          ...(publisher.publishingSinceMs !== undefined && { publishingSinceMs: publisher.publishingSinceMs }),
        };
        const rate = publisher.bitrateKbps;
        if (minBitrateKbps !== undefined && rate !== undefined && rate < minBitrateKbps) {
          return { ok: false, message: `inbound bitrate ${kbps(rate)} below ${kbps(minBitrateKbps)} on ${where}`, details };
        }
        const rateText = rate === undefined ? 'inbound bitrate not measured yet' : `inbound ${kbps(rate)}`;
        return { ok: true, message: `published on ${where}, client ${publisher.clientId}, ${rateText}`, details };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      } finally {
        deadline.dispose();
      }
    });
  }
}
