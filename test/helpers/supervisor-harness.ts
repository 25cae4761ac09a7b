/**
 * A real Supervisor (real NodeProcessRunner, system clock) for integration tests, with an event
 * recorder and a cleanup that proves nothing was left behind:
 *
 *   const h = startHarness(yaml, { ffmpegPath: FAKE_FFMPEG, capabilities: FAKE_CAPABILITIES });
 *   h.supervisor.startDesired();
 *   await h.waitForEvent('run-finished', (e) => e.reason === 'stalled', { description: '…' });
 *   await h.close(); // stopAll with a deadline; throws if any group it created still has members
 */
import { fileURLToPath } from 'node:url';
import { killAllGroupsSync, liveGroupIds, NodeProcessRunner } from '../../src/adapters/ffmpeg/node-process-runner.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { loadConfigText, type Env } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { FfmpegCapabilities } from '../../src/domain/ffmpeg-capabilities.js';
import { createRedactor, type Redactor } from '../../src/domain/redact.js';
import type { Logger } from '../../src/ports/logger.js';
import type { StreamEventMap } from '../../src/events/stream-events.js';
import type { StreamSupervisor } from '../../src/supervisor/stream-supervisor.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { processesInGroup } from './proc.js';
import { waitFor } from './wait-for.js';

export const FAKE_FFMPEG = fileURLToPath(new URL('../fixtures/fake-ffmpeg.mjs', import.meta.url));
/** What detectCapabilities would find in a modern ffmpeg, enough for the argv builder. */
export const FAKE_CAPABILITIES: FfmpegCapabilities = { version: 'fake', options: new Set(['stats_period']) };

export { silentLogger } from '../fakes/silent-logger.js';

export type EventName = keyof StreamEventMap;

export interface HarnessOptions {
  readonly ffmpegPath: string;
  readonly capabilities: FfmpegCapabilities;
  readonly env?: Env;
  /** The logger to use, given the config's redactor (default: silent). */
  readonly logger?: (redact: Redactor) => Logger;
}

export interface WaitEventOptions {
  readonly description: string;
  readonly timeoutMs?: number;
  /** Only events recorded at or after this index of the event's list (see `count`). */
  readonly from?: number;
}

export interface Harness {
  readonly config: Config;
  readonly supervisor: Supervisor;
  stream(id: string): StreamSupervisor;
  /** Every event of that name so far, oldest first. */
  events<K extends EventName>(name: K): readonly StreamEventMap[K][];
  /** How many events of that name were recorded so far (a `from` for waitForEvent). */
  count(name: EventName): number;
  waitForEvent<K extends EventName>(
    name: K,
    predicate: (event: StreamEventMap[K]) => boolean,
    options: WaitEventOptions,
  ): Promise<StreamEventMap[K]>;
  /** Every pid (= process group id) a run of this harness was started with. */
  groups(): number[];
  /**
   * Stops every stream (deadline `timeoutMs`), then waits for every group it created to have no
   * live member. Whatever is left is SIGKILLed and reported by throwing. Safe to call twice.
   */
  close(timeoutMs?: number): Promise<void>;
}

export function startHarness(yaml: string, options: HarnessOptions): Harness {
  const config = loadConfigText(yaml, options.env ?? {});
  const redact = createRedactor(config.secrets);
  const supervisor = new Supervisor(config.streams, {
    clock: systemClock,
    runner: new NodeProcessRunner(),
    ffmpeg: { path: options.ffmpegPath, capabilities: options.capabilities },
    logger: options.logger?.(redact) ?? silentLogger,
    redact,
    random: Math.random,
  });
  const recorded: { [K in EventName]: StreamEventMap[K][] } = { state: [], 'run-started': [], 'run-adopted': [], 'run-finished': [], health: [] };
  const groups = new Set<number>();
  supervisor.events.on('state', (e) => recorded.state.push(e));
  supervisor.events.on('run-started', (e) => {
    recorded['run-started'].push(e);
    if (e.pid !== undefined) groups.add(e.pid);
  });
  supervisor.events.on('run-finished', (e) => recorded['run-finished'].push(e));
  supervisor.events.on('health', (e) => recorded.health.push(e));

  let closing: Promise<void> | undefined;
  return {
    config,
    supervisor,
    stream: (id) => supervisor.get(id),
    events: (name) => recorded[name],
    count: (name) => recorded[name].length,
    waitForEvent: async (name, predicate, waitOptions) =>
      waitFor(() => recorded[name].slice(waitOptions.from ?? 0).find(predicate), {
        timeoutMs: waitOptions.timeoutMs ?? 15_000,
        intervalMs: 25,
        description: waitOptions.description,
      }),
    groups: () => [...groups],
    close: (timeoutMs = 30_000) => (closing ??= closeAll(supervisor, groups, timeoutMs)),
  };
}

async function closeAll(supervisor: Supervisor, groups: ReadonlySet<number>, timeoutMs: number): Promise<void> {
  const problems: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([supervisor.stopAll().then(() => 'stopped' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    const states = supervisor.list().map((s) => `${s.spec.id}=${s.observed}`);
    problems.push(`stopAll did not resolve within ${timeoutMs} ms (${states.join(', ')})`);
  }
  const leftovers = (): string[] =>
    [...groups].flatMap((pgid) =>
      processesInGroup(pgid, { includeZombies: false }).map((p) => `pid ${p.pid} (${p.comm}, ${p.state}) in group ${pgid}`),
    );
  try {
    await waitFor(() => leftovers().length === 0, { timeoutMs: 5_000, description: 'every process group to be empty' });
  } catch {
    problems.push(`processes left behind: ${leftovers().join('; ')}`);
  }
  if (liveGroupIds().length > 0) problems.push(`the runner still tracks live groups ${liveGroupIds().join(', ')}`);
  if (problems.length > 0) {
    // Never leave anything running, even when the test failed.
    killAllGroupsSync();
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    throw new Error(problems.join('\n'));
  }
}

/** A promise that settles with what `promise` settles with, and how long that took in ms. */
export async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}
