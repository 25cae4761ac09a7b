/**
 * The real supervisor harness (real ffmpeg, system clock) plus the real watchdog layer: real
 * probes (ffprobe, process, …), the real RTMP server adapters of the configuration, and a
 * recorder for the watchdog's events.
 *
 *   const h = startWatchdogHarness(yaml, { ffmpegPath, ffprobePath, capabilities });
 *   await h.waitForRecovery((e) => e.phase === 'recovered', { description: '…' });
 *   await h.close(); // the watchdog first (no probe left running), then every stream
 */
import { createHealthProbe, ffprobeInputProbes } from '../../src/adapters/probes/create-probe.js';
import { liveProbeGroups } from '../../src/adapters/probes/run-process.js';
import { createRtmpServer } from '../../src/adapters/rtmp/create-rtmp-server.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { createRedactor } from '../../src/domain/redact.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import type { Env } from '../../src/config/load.js';
import type { RecoveryRecord } from '../../src/domain/watchdog/recovery-record.js';
import type { RecoveryPolicyConfig } from '../../src/domain/watchdog/recovery-policy.js';
import type { Logger } from '../../src/ports/logger.js';
import { Watchdog } from '../../src/watchdog/watchdog.js';
import type { NotificationEvent, WatchdogRecoveryEvent } from '../../src/events/watchdog-events.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { startHarness, type Harness } from './supervisor-harness.js';
import { waitFor } from './wait-for.js';

export interface WatchdogIntegrationOptions {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly capabilities: FfmpegCapabilities;
  readonly env?: Env;
  /** The watchdog's logger (default: silent). */
  readonly logger?: Logger;
  /** Shorter figures for the recovery policy (cooldown, settle times), as the unit harness has. */
  readonly policy?: Partial<RecoveryPolicyConfig>;
}

export interface WatchdogIntegration extends Harness {
  readonly watchdog: Watchdog;
  readonly recoveries: readonly WatchdogRecoveryEvent[];
  readonly notifications: readonly NotificationEvent[];
  /** Every recovery the watchdog recorded, oldest first. */
  records(): RecoveryRecord[];
  waitForRecovery(predicate: (event: WatchdogRecoveryEvent) => boolean, options: { description: string; timeoutMs?: number }): Promise<WatchdogRecoveryEvent>;
  waitForHealth(stream: string, health: string, options?: { timeoutMs?: number }): Promise<void>;
}

export function startWatchdogHarness(yaml: string, options: WatchdogIntegrationOptions): WatchdogIntegration {
  const h = startHarness(yaml, { ffmpegPath: options.ffmpegPath, capabilities: options.capabilities, ...(options.env !== undefined && { env: options.env }) });
  const redact = createRedactor(h.config.secrets);
  const watchdog = new Watchdog({
    supervisor: h.supervisor,
    clock: systemClock,
    logger: options.logger ?? silentLogger,
    redact,
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    rtmpServers: h.config.rtmpServers.map((server) => createRtmpServer(server, { redact, timeoutMs: 3_000 })),
    createProbe: createHealthProbe,
    createInputProbe: ffprobeInputProbes({ ffprobePath: options.ffprobePath, redact, clock: systemClock }),
    ...(options.policy !== undefined && { policy: options.policy }),
  });
  const recoveries: WatchdogRecoveryEvent[] = [];
  const notifications: NotificationEvent[] = [];
  watchdog.events.on('recovery', (e) => recoveries.push(e));
  watchdog.events.on('notification', (e) => notifications.push(e));
  h.supervisor.startDesired();
  watchdog.start();

  let closing: Promise<void> | undefined;
  return {
    ...h,
    watchdog,
    recoveries,
    notifications,
    records: () => recoveries.flatMap((e) => (e.phase === 'recovered' ? [e.record] : [])),
    waitForRecovery: (predicate, waitOptions) =>
      waitFor(() => recoveries.find(predicate), { timeoutMs: waitOptions.timeoutMs ?? 30_000, intervalMs: 50, description: waitOptions.description }),
    waitForHealth: async (stream, health, waitOptions = {}) => {
      await waitFor(() => h.stream(stream).status().health === health, {
        timeoutMs: waitOptions.timeoutMs ?? 30_000,
        intervalMs: 50,
        description: `stream ${stream} to be ${health} (now ${h.stream(stream).status().health}: ${h.stream(stream).status().healthReason})`,
      });
    },
    close: () =>
      (closing ??= (async () => {
        await watchdog.stop();
        await h.close();
        const left = liveProbeGroups();
        if (left.length > 0) throw new Error(`probe process groups left running: ${left.join(', ')}`);
      })()),
  };
}
