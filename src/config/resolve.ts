/**
 * Schema output → `Config`: applies the defaults from DESIGN.md §3 (kept in domain/stream-spec.ts)
 * and builds `StreamSpec`s. Runs only on a configuration that passed every check.
 */
import {
  DEFAULT_FAILOVER,
  DEFAULT_RESTART_POLICY,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_STOP_POLICY,
  type RecoveryAction,
  type StreamSource,
  type StreamSpec,
} from '../domain/stream-spec.js';
import { resolveCheck } from './check-schema.js';
import type { ConfigInput, StreamInput } from './schema.js';
import type { EngineSpec } from '../domain/engines/engine-spec.js';
import type { AlertsConfig, Config, EnginePollingConfig, NotifierConfig, RtmpServerConfig } from './types.js';

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8787 } as const;
export const DEFAULT_STORAGE_PATH = './data/streamwarden.db';
export const DEFAULT_ON_UNHEALTHY: readonly RecoveryAction[] = ['restart', 'notify'];

function resolveSource(stream: StreamInput): StreamSource {
  if (stream.args) return { kind: 'args', args: stream.args };
  if (!stream.inputs || stream.output === undefined) {
    throw new Error(`stream ${stream.id}: neither args nor inputs + output (rules.ts should have caught this)`);
  }
  return {
    kind: 'pipeline',
    inputs: stream.inputs.map((input) => ({ url: input.url, options: input.options ?? [] })),
    output: stream.output,
    encode: stream.encode ?? [],
  };
}

/** `notify` defaults to every configured notifier: a stream that says nothing still alerts someone. */
function resolveStream(stream: StreamInput, notifierIds: readonly string[]): StreamSpec {
  const restart = stream.restart ?? {};
  return {
    id: stream.id,
    name: stream.name ?? stream.id,
    desired: stream.desired ?? 'running',
    source: resolveSource(stream),
    restart: {
      backoffInitialMs: restart.backoffInitial ?? DEFAULT_RESTART_POLICY.backoffInitialMs,
      backoffMaxMs: restart.backoffMax ?? DEFAULT_RESTART_POLICY.backoffMaxMs,
      backoffMultiplier: restart.multiplier ?? DEFAULT_RESTART_POLICY.backoffMultiplier,
      jitter: restart.jitter ?? DEFAULT_RESTART_POLICY.jitter,
      resetAfterMs: restart.resetAfter ?? DEFAULT_RESTART_POLICY.resetAfterMs,
      budget: {
        restarts: restart.budget?.restarts ?? DEFAULT_RESTART_POLICY.budget.restarts,
        withinMs: restart.budget?.within ?? DEFAULT_RESTART_POLICY.budget.withinMs,
      },
    },
    stop: {
      interruptGraceMs: stream.stop?.interruptGrace ?? DEFAULT_STOP_POLICY.interruptGraceMs,
      terminateGraceMs: stream.stop?.terminateGrace ?? DEFAULT_STOP_POLICY.terminateGraceMs,
    },
    startTimeoutMs: stream.startTimeout ?? DEFAULT_START_TIMEOUT_MS,
    stallTimeoutMs: stream.stallTimeout ?? DEFAULT_STALL_TIMEOUT_MS,
    ...(stream.rtmpServer !== undefined && { rtmpServer: stream.rtmpServer }),
    checks: (stream.checks ?? []).map(resolveCheck),
    onUnhealthy: stream.onUnhealthy ?? DEFAULT_ON_UNHEALTHY,
    notify: stream.notify ?? notifierIds,
    ...(stream.failover !== undefined && {
      failover: {
        mode: stream.failover.mode ?? DEFAULT_FAILOVER.mode,
        returnAfterMs: stream.failover.returnAfter ?? DEFAULT_FAILOVER.returnAfterMs,
        probeIntervalMs: stream.failover.probeInterval ?? DEFAULT_FAILOVER.probeIntervalMs,
        probeTimeoutMs: stream.failover.probeTimeout ?? DEFAULT_FAILOVER.probeTimeoutMs,
      },
    }),
    ...(stream.dropPublisher !== undefined && { dropPublisher: { target: stream.dropPublisher.target } }),
    ...(stream.engine !== undefined && { engine: { labels: stream.engine.labels ?? {} } }),
  };
}

function resolveNotifier(notifier: NonNullable<ConfigInput['notifiers']>[number]): NotifierConfig {
  const { rateLimit, ...rest } = notifier;
  return {
    ...rest,
    minSeverity: notifier.minSeverity ?? 'info',
    global: notifier.global ?? true,
    ...(rateLimit !== undefined && { rateLimit: { capacity: rateLimit.capacity, perMs: rateLimit.per } }),
  };
}

function resolveAlerts(input: ConfigInput['alerts']): AlertsConfig {
  const f = input?.for ?? {};
  const r = input?.reminders ?? {};
  return {
    forMs: {
      ...(f.unhealthy !== undefined && { unhealthy: f.unhealthy }),
      ...(f.degraded !== undefined && { degraded: f.degraded }),
      ...(f.crashloop !== undefined && { crashloop: f.crashloop }),
      ...(f.engineUnhealthy !== undefined && { 'engine-unhealthy': f.engineUnhealthy }),
    },
    reminderMs: { ...(r.critical !== undefined && { critical: r.critical }), ...(r.warning !== undefined && { warning: r.warning }) },
    ...(input?.groupWindow !== undefined && { groupWindowMs: input.groupWindow }),
    ...(input?.sendResolved !== undefined && { sendResolved: input.sendResolved }),
  };
}

/** Secrets that are secret by field, whatever the variable (if any) they came from. */
function fieldSecrets(config: Omit<Config, 'secrets'>): string[] {
  const values = [config.server.token, config.controller?.token];
  for (const notifier of config.notifiers) values.push(notifier.type === 'telegram' ? notifier.botToken : notifier.url);
  return values.filter((value): value is string => value !== undefined && value !== '');
}

function resolveEngine(engine: NonNullable<ConfigInput['engines']>[number]): EngineSpec {
  const { path, conditions, ...rest } = engine;
  return { ...rest, ...(path !== undefined && { path }), ...(conditions !== undefined && { conditions }) };
}

function resolveEnginePolling(input: ConfigInput['enginePolling']): EnginePollingConfig {
  if (!input) return {};
  const { interval, timeout, grace, ...counts } = input;
  return {
    ...(interval !== undefined && { intervalMs: interval }),
    ...(timeout !== undefined && { timeoutMs: timeout }),
    ...(grace !== undefined && { graceMs: grace }),
    ...Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== undefined)),
  };
}

export function resolveConfig(input: ConfigInput, envSecrets: readonly string[]): Config {
  const notifiers = (input.notifiers ?? []).map(resolveNotifier);
  const rtmpServers: RtmpServerConfig[] = input.rtmpServers ?? [];
  const listen = input.server?.listen ?? DEFAULT_LISTEN;
  const token = input.server?.token;
  const config = {
    server: {
      host: listen.host,
      port: listen.port,
      ...(token !== undefined && { token }),
      readinessFailsOnCrashloop: input.server?.readiness?.failOnCrashloop ?? true,
    },
    storage: { path: input.storage?.path ?? DEFAULT_STORAGE_PATH },
    ...(input.controller && {
      controller: {
        url: input.controller.url,
        ...(input.controller.token !== undefined && { token: input.controller.token }),
        ...(input.controller.heartbeatTimeout !== undefined && { heartbeatTimeoutMs: input.controller.heartbeatTimeout }),
        ...(input.controller.reconnectDelay !== undefined && { reconnectDelayMs: input.controller.reconnectDelay }),
      },
    }),
    ffmpeg: { ...input.ffmpeg },
    rtmpServers,
    notifiers,
    alerts: resolveAlerts(input.alerts),
    engines: (input.engines ?? []).map(resolveEngine),
    enginePolling: resolveEnginePolling(input.enginePolling),
    maintenance: (input.maintenance ?? []).map((w) => ({ ...(w.stream !== undefined && { stream: w.stream }), start: w.start, end: w.end })),
    streams: (input.streams ?? []).map((stream) => resolveStream(stream, notifiers.map((n) => n.id))),
  };
  return { ...config, secrets: [...new Set([...envSecrets, ...fieldSecrets(config)])] };
}
