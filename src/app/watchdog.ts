/** The watchdog layer with its adapters: real probes, and the configured RTMP servers. */
import { createHealthProbe, ffprobeInputProbes } from '../adapters/probes/create-probe.js';
import { createRtmpServer } from '../adapters/rtmp/create-rtmp-server.js';
import type { Config } from '../config/types.js';
import type { Redactor } from '../domain/redact.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { Watchdog, type WatchedStreams } from '../watchdog/watchdog.js';
import type { WatchdogMetrics } from '../watchdog/stream-watchdog.js';

export interface WatchdogWiring {
  readonly config: Config;
  readonly streams: WatchedStreams;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly metrics: WatchdogMetrics;
  readonly random: () => number;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

export function createWatchdog(wiring: WatchdogWiring): Watchdog {
  const { clock, redact, ffprobePath } = wiring;
  return new Watchdog({
    supervisor: wiring.streams,
    clock,
    logger: wiring.logger,
    redact,
    metrics: wiring.metrics,
    random: wiring.random,
    ffmpegPath: wiring.ffmpegPath,
    ffprobePath,
    rtmpServers: wiring.config.rtmpServers.map((server) => createRtmpServer(server, { redact, clock })),
    createProbe: createHealthProbe,
    createInputProbe: ffprobeInputProbes({ ffprobePath, redact, clock }),
  });
}
