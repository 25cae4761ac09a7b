/**
 * Shared by the recovery benchmarks: nginx-rtmp (the test harness), the real ffmpeg command,
 * the daemon configuration for it, and "who is publishing now" probes against /stat.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEFAULT_RTMP_MODULE, startNginxRtmp, type NginxRtmp, type RtmpPublisher } from '../../test/helpers/nginx-rtmp.js';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { buildArgv } from '../../src/domain/argv.js';
import { onCleanup, signalPid } from './cleanup.js';
import type { RunningDaemon, StreamView } from './daemon.js';
import { liveProcessesWithArg } from './proc.js';
import { REAL_FFMPEG } from './paths.js';
import { now, pollUntil, within } from './time.js';

export const APP = 'live';
export const STREAM = 'bench';
/** The daemon's stream id. */
export const STREAM_ID = 'bench';

/** After this long running, a failure counts as the first one again (immediate restart). */
export const RESET_AFTER_MS = 2_000;

export async function startBenchNginx(): Promise<NginxRtmp> {
  if (!existsSync(REAL_FFMPEG)) throw new Error(`the recovery benchmarks need a real ffmpeg at ${REAL_FFMPEG} (apt-get install ffmpeg)`);
  if (!existsSync('/usr/sbin/nginx') || !existsSync(DEFAULT_RTMP_MODULE)) {
    throw new Error(`the recovery benchmarks need nginx with the RTMP module (/usr/sbin/nginx, ${DEFAULT_RTMP_MODULE}; apt-get install nginx libnginx-mod-rtmp)`);
  }
  // A SIGSTOPped publisher must be dropped by the daemon's stall detection, not by nginx first.
  return startNginxRtmp({ dropIdlePublisher: '60s' });
}

/** The encoder: lavfi testsrc2 320x240, libx264 ultrafast/zerolatency, GOP 25, FLV to nginx. */
export function encoderArgs(url: string): string[] {
  return [
    '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25',
    '-f', 'flv', url,
  ];
}

/** Exactly the argv the daemon runs for `encoderArgs(url)` (its global options prepended). */
export async function daemonArgv(url: string): Promise<string[]> {
  const capabilities = await detectCapabilities(REAL_FFMPEG);
  return buildArgv({ kind: 'args', args: encoderArgs(url) }, capabilities, { inputIndex: 0 });
}

/**
 * The stream as configured for the daemon. Defaults everywhere but the restart policy: the
 * default budget (5 restarts in 5 min) and reset (10 min) would put a stream killed 15 times
 * in a row in backoff and crashloop, which is not what is measured here.
 */
export function benchStreamConfig(url: string): Record<string, unknown> {
  return {
    id: STREAM_ID,
    args: encoderArgs(url),
    restart: { resetAfter: `${RESET_AFTER_MS}ms`, budget: { restarts: 1000, within: '1m' } },
  };
}

export interface Published {
  readonly publisher: RtmpPublisher;
  /** Monotonic ms when the /stat answer that showed it arrived. */
  readonly at: number;
}

/** Polls /stat every `intervalMs` until `STREAM` is published by a client other than `exceptClientId`. */
export async function waitForPublisher(
  nginx: NginxRtmp,
  options: { exceptClientId?: string; timeoutMs: number; intervalMs: number },
): Promise<Published> {
  const { value, at } = await pollUntil(
    async () =>
      (await nginx.publishers(APP)).find((p) => p.name === STREAM && p.clientId !== options.exceptClientId),
    {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs,
      description: `nginx to list ${APP}/${STREAM} as published${options.exceptClientId === undefined ? '' : ` by a client other than ${options.exceptClientId}`}`,
    },
  );
  return { publisher: value, at };
}

export async function waitForNoPublisher(nginx: NginxRtmp, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => ((await nginx.publishers(APP)).some((p) => p.name === STREAM) ? undefined : true),
    { timeoutMs, intervalMs: 20, description: `nginx to stop listing ${APP}/${STREAM}` },
  );
}

/** Waits until the daemon reports the stream running with a pid (other than `notPid`). */
export async function waitForRunning(daemon: RunningDaemon, options: { notPid?: number; timeoutMs: number }): Promise<StreamView & { pid: number }> {
  const { value } = await pollUntil(
    async () => {
      const stream = await daemon.stream(STREAM_ID);
      return stream.state === 'running' && stream.pid !== null && stream.pid !== options.notPid
        ? { ...stream, pid: stream.pid }
        : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 50, description: `the daemon to report ${STREAM_ID} running${options.notPid === undefined ? '' : ` with a pid other than ${options.notPid}`}` },
  );
  return value;
}

/**
 * The floor: the same ffmpeg command started bare by the bench (same argv, same pipes as the
 * daemon gives it), `reps` times → ms from spawn to nginx listing it as published. Each run is
 * SIGKILLed, and gone from /stat, before the next.
 */
export async function measureBareStart(
  nginx: NginxRtmp,
  argv: readonly string[],
  options: { reps: number; warmup: number; intervalMs: number; log: (line: string) => void },
): Promise<number[]> {
  const samples: number[] = [];
  for (let rep = 0; rep < options.warmup + options.reps; rep += 1) {
    await waitForNoPublisher(nginx, 15_000);
    const startedAt = now();
    const child = spawn(REAL_FFMPEG, [...argv], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${REAL_FFMPEG}`);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const unregister = onCleanup(() => signalPid(-pid, 'SIGKILL'));
    child.stderr?.resume();
    child.stdio[3]?.on('data', () => undefined);
    try {
      const { at } = await waitForPublisher(nginx, { timeoutMs: 15_000, intervalMs: options.intervalMs });
      const ms = at - startedAt;
      if (rep >= options.warmup) {
        samples.push(ms);
        options.log(`floor ${rep - options.warmup + 1}/${options.reps}: ${ms.toFixed(0)} ms`);
      } else {
        options.log(`floor warm-up: ${ms.toFixed(0)} ms`);
      }
    } finally {
      signalPid(-pid, 'SIGKILL');
      await within(exited, 5_000);
      unregister();
    }
  }
  return samples;
}

/** SIGKILLs (by pid) any ffmpeg still publishing to this nginx; returns how many there were. */
export function killLeftoverFfmpeg(url: string): number {
  const leftovers = liveProcessesWithArg(REAL_FFMPEG, url);
  for (const p of leftovers) signalPid(p.pid, 'SIGKILL');
  return leftovers.length;
}
