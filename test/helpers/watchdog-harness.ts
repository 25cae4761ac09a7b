/**
 * The watchdog layer over a real Supervisor, on a fake clock with fake processes, fake probes
 * and a fake RTMP server, for unit tests that never sleep:
 *
 *   const h = watchdogHarness([spec('cam', { checks: [ffprobeCheck('out')] })]);
 *   await h.run(5_000);                 // 100 ms steps; every running stream reports progress each second
 *   h.probe('cam', 'out').outcome = { ok: false, message: 'Input/output error' };
 */
import type { ProbeContext } from '../../src/adapters/probes/create-probe.js';
import { createRedactor } from '../../src/domain/redact.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type CheckSpecOf, type StreamSpec } from '../../src/domain/stream-spec.js';
import type { FailureCause } from '../../src/domain/watchdog/failure-locus.js';
import type { HealthChanged } from '../../src/events/stream-events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { Watchdog, type WatchdogOptions } from '../../src/watchdog/watchdog.js';
import type { NotificationEvent, WatchdogRecoveryEvent } from '../../src/events/watchdog-events.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeProbe, flush } from '../fakes/fake-probe.js';
import { FakeProcessRunner, type FakeProcess } from '../fakes/fake-process-runner.js';
import { FakeRtmpServer } from '../fakes/fake-rtmp-server.js';
import { silentLogger } from '../fakes/silent-logger.js';

export const KEY = 'wdSecretKey77';

/** An args stream publishing to rtmp://127.0.0.1/live/<id>-KEY. */
export function spec(id: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    id,
    name: id,
    desired: 'running',
    source: { kind: 'args', args: ['-re', '-i', 'in.mp4', '-f', 'flv', outputUrl(id)] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs: 10_000,
    checks: [],
    onUnhealthy: ['restart', 'notify'],
    notify: ['ops'],
    ...overrides,
  };
}

export function outputUrl(id: string): string {
  return `rtmp://127.0.0.1/live/${id}-${KEY}`;
}

/** A pipeline stream over `inputs`, publishing to outputUrl(id). */
export function pipeline(id: string, inputs: readonly string[], overrides: Partial<StreamSpec> = {}): StreamSpec {
  return spec(id, {
    source: { kind: 'pipeline', inputs: inputs.map((url) => ({ url, options: [] })), output: outputUrl(id), encode: ['-c', 'copy'] },
    ...overrides,
  });
}

/** An ffprobe check of the stream's output (the motherstream shape); thresholds as given. */
export function ffprobeCheck(name: string, id: string, overrides: Partial<Omit<CheckSpecOf<'ffprobe'>, 'type'>> = {}): CheckSpecOf<'ffprobe'> {
  return {
    type: 'ffprobe',
    name,
    intervalMs: 3_000,
    timeoutMs: 10_000,
    informational: false,
    unhealthyAfterMs: 30_000,
    successThreshold: 1,
    settings: { url: outputUrl(id), expect: {} },
    ...overrides,
  };
}

export interface WatchdogHarness {
  readonly clock: FakeClock;
  readonly runner: FakeProcessRunner;
  readonly supervisor: Supervisor;
  readonly watchdog: Watchdog;
  readonly server: FakeRtmpServer;
  readonly health: HealthChanged[];
  readonly recoveries: WatchdogRecoveryEvent[];
  readonly notifications: NotificationEvent[];
  readonly checkResults: { stream: string; check: string; success: boolean }[];
  readonly recordedRecoveries: { cause: FailureCause; seconds: number }[];
  /** Every fake probe of configured checks, in creation order. */
  readonly probes: { readonly stream: string; readonly check: string; readonly probe: FakeProbe }[];
  /** The current probe of a stream's check (a new watchdog after an update makes new probes). */
  probe(stream: string, check: string): FakeProbe;
  /** The probe of an input, by its URL. */
  inputProbe(url: string): FakeProbe;
  /** The newest process of a stream. */
  proc(stream: string): FakeProcess;
  /** Streams whose processes stop reporting progress (frozen); `thaw` resumes them. */
  freeze(stream: string): void;
  thaw(stream: string): void;
  /** Bytes per progress block of a stream (default 5,000 per frame, 1 Mb/s). */
  setBytesPerSecond(stream: string, bytes: number | undefined): void;
  /**
   * Advances fake time in 100 ms steps, letting promises settle between steps; each live, not
   * frozen process reports one progress block per second, and a signalled process exits at the
   * next step (as ffmpeg does on SIGINT, and anything on SIGKILL).
   */
  run(ms: number): Promise<void>;
  /** Lets every signalled process exit as ffmpeg does after SIGINT / SIGKILL. */
  exitSignalled(): void;
  close(): Promise<void>;
}

export function watchdogHarness(specs: readonly StreamSpec[], options: Partial<WatchdogOptions> & { start?: boolean } = {}): WatchdogHarness {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const redact = createRedactor([KEY]);
  const supervisor = new Supervisor(specs, {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set(['stats_period']) } },
    logger: silentLogger,
    redact,
    random: () => 0.5,
  });
  const server = new FakeRtmpServer('local');
  const probes: { stream: string; check: string; probe: FakeProbe }[] = [];
  const inputProbes = new Map<string, FakeProbe>();
  const checkResults: WatchdogHarness['checkResults'] = [];
  const recordedRecoveries: WatchdogHarness['recordedRecoveries'] = [];
  const streamOfOutput = (context: ProbeContext): string => {
    const found = supervisor.list().find((s) => context.outputUrl !== undefined && context.outputUrl === outputUrl(s.spec.id));
    return found?.spec.id ?? '?';
  };
  const watchdog = new Watchdog({
    supervisor,
    clock,
    logger: silentLogger,
    redact,
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
    rtmpServers: [server],
    random: () => 0,
    metrics: {
      recordCheck: (stream, check, success) => checkResults.push({ stream, check, success }),
      recordRecovery: (cause, seconds) => recordedRecoveries.push({ cause, seconds }),
    },
    createProbe: (check, context) => {
      const probe = new FakeProbe(clock, { ok: true, message: 'video h264, audio aac', durationMs: 200 }, check.type);
      probes.push({ stream: streamOfOutput(context), check: check.name, probe });
      return probe;
    },
    createInputProbe: (input) => {
      if (input.url.startsWith('lavfi:')) return undefined;
      const probe = new FakeProbe(clock, { ok: true, durationMs: 200 }, 'ffprobe');
      inputProbes.set(input.url, probe);
      return probe;
    },
    ...options,
  });
  const health: HealthChanged[] = [];
  const recoveries: WatchdogRecoveryEvent[] = [];
  const notifications: NotificationEvent[] = [];
  supervisor.events.on('health', (e) => health.push(e));
  watchdog.events.on('recovery', (e) => recoveries.push(e));
  watchdog.events.on('notification', (e) => notifications.push(e));

  /** Spawned and adopted processes alike. */
  const allProcs = (): FakeProcess[] => [...runner.spawned, ...runner.adopted];
  const frozen = new Set<string>();
  const bytesPerSecond = new Map<string, number>();
  const proc = (id: string): FakeProcess => {
    const pid = supervisor.get(id).status().pid;
    const found = allProcs().find((p) => p.pid !== undefined && p.pid === pid);
    if (!found) throw new Error(`stream ${id} has no process`);
    return found;
  };
  let elapsed = 0;

  if (options.start !== false) {
    supervisor.startDesired();
    watchdog.start();
  }
  return {
    clock,
    runner,
    supervisor,
    watchdog,
    server,
    health,
    recoveries,
    notifications,
    checkResults,
    recordedRecoveries,
    probes,
    probe: (stream, check) => {
      const found = probes.filter((p) => p.stream === stream && p.check === check).at(-1);
      if (!found) throw new Error(`no probe ${stream}/${check}`);
      return found.probe;
    },
    inputProbe: (url) => {
      const found = inputProbes.get(url);
      if (!found) throw new Error(`no probe of input ${url}`);
      return found;
    },
    proc,
    freeze: (id) => frozen.add(id),
    thaw: (id) => frozen.delete(id),
    setBytesPerSecond: (id, bytes) => (bytes === undefined ? bytesPerSecond.delete(id) : bytesPerSecond.set(id, bytes)),
    run: async (ms) => {
      for (let done = 0; done < ms; done += 100) {
        for (const p of allProcs()) {
          if (!p.alive || p.signals.length === 0) continue;
          const killed = p.signals.includes('SIGKILL');
          p.exit({ code: killed ? null : 255, signal: killed ? 'SIGKILL' : null });
        }
        clock.advance(100);
        elapsed += 100;
        if (elapsed % 1_000 === 0) {
          for (const stream of supervisor.list()) {
            const id = stream.spec.id;
            if (frozen.has(id) || stream.status().pid === undefined) continue;
            const p = allProcs().find((candidate) => candidate.pid === stream.status().pid);
            if (p?.alive === true && p.signals.length === 0) {
              const bytes = bytesPerSecond.get(id);
              p.progress(25, bytes);
            }
          }
        }
        await flush();
      }
    },
    exitSignalled: () => {
      for (const p of allProcs()) if (p.alive && p.signals.length > 0) p.exit({ code: p.signals.includes('SIGKILL') ? null : 255, signal: p.signals.includes('SIGKILL') ? 'SIGKILL' : null });
    },
    close: async () => {
      await watchdog.stop();
      const stopping = supervisor.stopAll();
      for (let i = 0; i < 10; i++) {
        for (const p of allProcs()) if (p.alive && p.signals.length > 0) p.exit({ code: 255, signal: null });
        await flush();
      }
      await stopping;
    },
  };
}
