/**
 * The per-stream metric families, computed at scrape time from each stream's status and tally.
 * Only streams that exist are listed, so a removed stream's series disappear with it. Labels are
 * bounded: the stream id, a state / health / exit reason from a fixed list, a configured check
 * name. Never a URL, a key or an error text.
 */
import type { Health } from '../domain/health.js';
import { OBSERVED_STATES } from '../domain/lifecycle.js';
import { RESTART_REASONS, type RestartReason } from '../domain/restart-reason.js';
import type { StreamStatus } from '../ports/supervised-stream.js';
import { escapeLabelValue, FamilyBuffer, type FamilyDefinition } from './exposition.js';
import type { StreamTally } from './stream-tally.js';

export const HEALTH_VALUES: readonly Health[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];

/** The name of the check every stream has: its ffmpeg progress is advancing. */
export const PROGRESS_CHECK = 'progress';

/**
 * The built-in progress check passes while progress advanced within this long: ffmpeg reports
 * every second, and it is the window the fps / bitrate / speed figures are computed over.
 */
export const PROGRESS_FRESH_MS = 5_000;

export const STREAM_FAMILIES = {
  desiredRunning: {
    name: 'streamwarden_stream_desired_running',
    type: 'gauge',
    help: 'Whether the stream is wanted running (1) or stopped (0), as the user asked.',
  },
  state: {
    name: 'streamwarden_stream_state',
    type: 'gauge',
    help: 'Observed lifecycle state of the stream: 1 for the current state, 0 for the others.',
  },
  health: {
    name: 'streamwarden_stream_health',
    type: 'gauge',
    help: 'Health of the stream: 1 for the current health (healthy, degraded, unhealthy, unknown), 0 for the others.',
  },
  healthy: {
    name: 'streamwarden_stream_healthy',
    type: 'gauge',
    help: 'Whether the stream is healthy (1) or not (0: degraded, unhealthy or unknown).',
  },
  uptime: {
    name: 'streamwarden_stream_uptime_seconds',
    type: 'gauge',
    help: 'Seconds since the current run first made progress; 0 when not running.',
  },
  fps: {
    name: 'streamwarden_stream_fps',
    type: 'gauge',
    help: 'Frames per second produced over the last 5 s; 0 when nothing is produced.',
  },
  speed: {
    name: 'streamwarden_stream_speed_ratio',
    type: 'gauge',
    help: 'Media seconds encoded per wall-clock second over the last 5 s (1 = real time).',
  },
  outputRate: {
    name: 'streamwarden_stream_output_bytes_per_second',
    type: 'gauge',
    help: 'Output bitrate over the last 5 s, in bytes per second (x8 for bits per second).',
  },
  lastProgress: {
    name: 'streamwarden_stream_last_progress_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time at which the stream\'s progress counters last advanced (any run).',
  },
  backoffDelay: {
    name: 'streamwarden_stream_backoff_delay_seconds',
    type: 'gauge',
    help: 'The restart delay being waited out while in backoff or crashloop; 0 otherwise.',
  },
  restarts: {
    name: 'streamwarden_stream_restarts_total',
    type: 'counter',
    help: 'Restarts of the stream, by why the run before ended (watchdog: a restart the watchdog asked for; restarted: one asked for through the API or a config change); counts across runs.',
  },
  frames: {
    name: 'streamwarden_stream_output_frames_total',
    type: 'counter',
    help: 'Frames produced by the stream, summed over all its runs.',
  },
  bytes: {
    name: 'streamwarden_stream_output_bytes_total',
    type: 'counter',
    help: 'Output bytes written by the stream, summed over all its runs.',
  },
  cpu: {
    name: 'streamwarden_process_cpu_seconds_total',
    type: 'counter',
    help: 'User and system CPU time of the stream\'s ffmpeg processes, summed over all its runs (sampled every few seconds).',
  },
  cpuUsage: {
    name: 'streamwarden_process_cpu_usage_ratio',
    type: 'gauge',
    help: 'CPU used by the stream\'s current ffmpeg process between its last two samples, in CPUs: 1 is one core fully busy (x100 for the percent top shows).',
  },
  memory: {
    name: 'streamwarden_process_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory of the stream\'s current ffmpeg process (sampled every few seconds).',
  },
  checkSuccess: {
    name: 'streamwarden_check_success',
    type: 'gauge',
    help: 'Whether the last run of the check passed (1) or failed (0); only for streams wanted running.',
  },
  checkLastDuration: {
    name: 'streamwarden_check_last_duration_seconds',
    type: 'gauge',
    help: 'How long the last run of the check took.',
  },
} as const satisfies Record<string, FamilyDefinition>;

export type StreamFamily = keyof typeof STREAM_FAMILIES;

/** One stream, as read at the start of a scrape. */
export interface StreamRow {
  readonly status: StreamStatus;
  readonly health: Health;
  readonly tally: StreamTally;
  /** Names of the checks configured for the stream (recorded results of others are not shown). */
  readonly checkNames: readonly string[];
  /** Restarts per exit reason, across every run of the stream. */
  readonly restarts: { restartsFor(reason: RestartReason): number };
}

const bit = (on: boolean): number => (on ? 1 : 0);

type Buffers = Record<StreamFamily, FamilyBuffer>;

/** The start of every sample line of one stream (`name{labels} `), built once per stream. */
interface StreamPrefixes {
  readonly desiredRunning: string;
  readonly state: readonly string[];
  readonly health: readonly string[];
  readonly healthy: string;
  readonly uptime: string;
  readonly fps: string;
  readonly speed: string;
  readonly outputRate: string;
  readonly lastProgress: string;
  readonly backoffDelay: string;
  readonly restarts: readonly string[];
  readonly frames: string;
  readonly bytes: string;
  readonly cpu: string;
  readonly cpuUsage: string;
  readonly memory: string;
  /** Per check name: the success and the duration line. */
  readonly checks: Map<string, { readonly success: string; readonly duration: string }>;
}

/**
 * Renders the per-stream families. The label part of each line is built once per stream (and
 * check) and reused on every scrape: with 1,000 streams that is ~30,000 lines, and allocating
 * their labels anew each time is most of the cost.
 */
export class StreamFamilyRenderer {
  /** Keyed by the stream's tally, so a replaced or removed stream's entry goes with it. */
  private readonly prefixes = new WeakMap<StreamTally, StreamPrefixes>();

  /** Every per-stream family, each as one block, in a fixed order. */
  render(rows: readonly StreamRow[], now: number): string {
    const out = Object.fromEntries(
      Object.entries(STREAM_FAMILIES).map(([key, definition]) => [key, new FamilyBuffer(definition)]),
    ) as Buffers;

    for (const { status, health, tally, checkNames, restarts } of rows) {
      const p = this.prefixesOf(out, status.id, tally);
      const wanted = status.desired === 'running';
      out.desiredRunning.push(p.desiredRunning, bit(wanted));
      OBSERVED_STATES.forEach((state, i) => out.state.push(p.state[i] ?? '', bit(status.state === state)));
      HEALTH_VALUES.forEach((value, i) => out.health.push(p.health[i] ?? '', bit(health === value)));
      out.healthy.push(p.healthy, bit(health === 'healthy'));
      out.uptime.push(p.uptime, status.uptimeSeconds);

      const progress = status.progress;
      out.fps.push(p.fps, finiteOrZero(progress?.fps));
      out.speed.push(p.speed, finiteOrZero(progress?.speed));
      out.outputRate.push(p.outputRate, finiteOrZero(progress?.bitrate) / 8);
      if (tally.lastProgressAt !== undefined) out.lastProgress.push(p.lastProgress, tally.lastProgressAt / 1_000);
      const waiting = status.state === 'backoff' || status.state === 'crashloop';
      out.backoffDelay.push(p.backoffDelay, waiting ? tally.backoffDelayMs / 1_000 : 0);

      RESTART_REASONS.forEach((reason, i) => out.restarts.push(p.restarts[i] ?? '', restarts.restartsFor(reason)));
      out.frames.push(p.frames, tally.outputFrames);
      out.bytes.push(p.bytes, tally.outputBytes);
      out.cpu.push(p.cpu, tally.cpuSeconds);
      const cpuRatio = tally.cpuRatio;
      if (cpuRatio !== undefined) out.cpuUsage.push(p.cpuUsage, cpuRatio);
      const resident = tally.residentBytes;
      if (resident !== undefined) out.memory.push(p.memory, resident);

      if (!wanted) continue; // a stream stopped on purpose is not failing its checks
      let progressRecorded = false;
      for (const name of checkNames) {
        const result = tally.checks.get(name);
        if (!result) continue;
        if (name === PROGRESS_CHECK) progressRecorded = true;
        const lines = this.checkPrefixes(out, p, status.id, name);
        out.checkSuccess.push(lines.success, bit(result.success));
        if (result.durationSeconds !== undefined) out.checkLastDuration.push(lines.duration, result.durationSeconds);
      }
      if (!progressRecorded) {
        const last = status.lastProgressAt;
        const advancing = status.state === 'running' && last !== undefined && now - last <= PROGRESS_FRESH_MS;
        out.checkSuccess.push(this.checkPrefixes(out, p, status.id, PROGRESS_CHECK).success, bit(advancing));
      }
    }
    return Object.values(out)
      .map((family) => family.render())
      .join('\n');
  }

  private prefixesOf(out: Buffers, id: string, tally: StreamTally): StreamPrefixes {
    const cached = this.prefixes.get(tally);
    if (cached) return cached;
    const stream = `stream="${escapeLabelValue(id)}"`;
    const built: StreamPrefixes = {
      desiredRunning: out.desiredRunning.prefix(stream),
      state: OBSERVED_STATES.map((state) => out.state.prefix(`${stream},state="${state}"`)),
      health: HEALTH_VALUES.map((value) => out.health.prefix(`${stream},health="${value}"`)),
      healthy: out.healthy.prefix(stream),
      uptime: out.uptime.prefix(stream),
      fps: out.fps.prefix(stream),
      speed: out.speed.prefix(stream),
      outputRate: out.outputRate.prefix(stream),
      lastProgress: out.lastProgress.prefix(stream),
      backoffDelay: out.backoffDelay.prefix(stream),
      restarts: RESTART_REASONS.map((reason) => out.restarts.prefix(`${stream},reason="${reason}"`)),
      frames: out.frames.prefix(stream),
      bytes: out.bytes.prefix(stream),
      cpu: out.cpu.prefix(stream),
      cpuUsage: out.cpuUsage.prefix(stream),
      memory: out.memory.prefix(stream),
      checks: new Map(),
    };
    this.prefixes.set(tally, built);
    return built;
  }

  private checkPrefixes(out: Buffers, p: StreamPrefixes, id: string, check: string): { success: string; duration: string } {
    let lines = p.checks.get(check);
    if (!lines) {
      const labels = `stream="${escapeLabelValue(id)}",check="${escapeLabelValue(check)}"`;
      lines = { success: out.checkSuccess.prefix(labels), duration: out.checkLastDuration.prefix(labels) };
      p.checks.set(check, lines);
    }
    return lines;
  }
}

function finiteOrZero(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}
