/**
 * The radio module's health endpoints, for its users' scripts and probes: the same checks as
 * /livez, /readyz and /healthz (health.ts), in its shape:
 *
 *   GET /health/liveness   { status, message: "Service is alive", timestamp, details: { check: "liveness" } }
 *   GET /health/readiness  { status, message: "Service is ready", timestamp, details: { ffmpeg_running } }
 *   GET /health/detailed   { status, message: "All components healthy", timestamp,
 *                            details: { components: { <name>: { status, message, … } } } }
 *
 * `status` is `healthy`, `degraded` (detailed only: a stream warns or fails, the daemon is fine)
 * or `unhealthy`; `timestamp` is UTC in whole seconds (`2025-11-05T10:00:00Z`). As on the short
 * names, the answer is 503 when unhealthy, and the message names what fails. `ffmpeg_running`:
 * every stream wanted running has a running ffmpeg. Stream components (`stream:<id>`) carry
 * `state`, `pid` and `uptime_seconds`, like the module's `ffmpeg` component. No token needed.
 */
import type { FastifyInstance } from 'fastify';
import { isoSeconds } from '../../domain/seed/seed-time.js';
import type { AppDeps } from '../app-deps.js';
import { overallStatus, type ComponentResult, type ComponentStatus } from '../health-report.js';
import { errorResponses, nullable } from '../schemas.js';
import { failingComponents, probeReport, type Probe } from './health.js';

type SeedStatus = 'healthy' | 'degraded' | 'unhealthy';

const SEED_STATUS: Readonly<Record<ComponentStatus, SeedStatus>> = { pass: 'healthy', warn: 'degraded', fail: 'unhealthy' };

const MESSAGES: Readonly<Record<Probe, Readonly<Record<SeedStatus, string>>>> = {
  liveness: { healthy: 'Service is alive', degraded: 'Service is alive', unhealthy: 'Service is not alive' },
  readiness: { healthy: 'Service is ready', degraded: 'Service is ready', unhealthy: 'Service is not ready' },
  detailed: { healthy: 'All components healthy', degraded: 'Some components degraded', unhealthy: 'System unhealthy' },
};

const seedHealthSchema = {
  type: 'object',
  required: ['status', 'message', 'timestamp', 'details'],
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    message: { type: 'string' },
    timestamp: { type: 'string' },
    details: {
      type: 'object',
      properties: {
        check: { type: 'string' },
        ffmpeg_running: { type: 'boolean' },
        components: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              message: { type: 'string' },
              state: { type: 'string' },
              pid: nullable('integer'),
              uptime_seconds: { type: 'number' },
            },
          },
        },
      },
    },
  },
} as const;

/** "Service is not ready: crashloop: stream cam …; store: …" — what fails, or what warns. */
function message(probe: Probe, status: SeedStatus, components: readonly ComponentResult[]): string {
  const head = MESSAGES[probe][status];
  if (status === 'healthy') return head;
  const named = status === 'unhealthy' ? failingComponents(components) : components.filter((c) => c.status !== 'pass');
  return named.length === 0 ? head : `${head}: ${named.map((c) => `${c.name}: ${c.message}`).join('; ')}`;
}

export function registerSeedHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const details = (probe: Probe, components: readonly ComponentResult[]): Record<string, unknown> => {
    if (probe === 'liveness') return { check: 'liveness' };
    const streams = deps.supervisor.list().map((stream) => stream.status());
    if (probe === 'readiness') return { ffmpeg_running: streams.every((s) => s.desired !== 'running' || s.state === 'running') };
    const byId = new Map(streams.map((s) => [`stream:${s.id}`, s]));
    const entries = components.map((c) => {
      const stream = byId.get(c.name);
      const extra = stream === undefined ? {} : { state: stream.state, pid: stream.pid ?? null, uptime_seconds: Math.floor(stream.uptimeSeconds) };
      return [c.name, { status: SEED_STATUS[c.status], message: c.message, ...extra }] as const;
    });
    return { components: Object.fromEntries(entries) };
  };

  const paths: readonly (readonly [string, Probe])[] = [
    ['/health/liveness', 'liveness'],
    ['/health/readiness', 'readiness'],
    ['/health/detailed', 'detailed'],
  ];
  for (const [path, probe] of paths) {
    app.get(path, { schema: { response: { 200: seedHealthSchema, 503: seedHealthSchema, ...errorResponses } } }, async (_request, reply) => {
      const components = probeReport(deps, probe);
      const status = SEED_STATUS[overallStatus(components)];
      const body = { status, message: deps.redact(message(probe, status, components)), timestamp: isoSeconds(deps.clock.now()), details: details(probe, components) };
      return reply.code(status === 'unhealthy' ? 503 : 200).send(body);
    });
  }
}
