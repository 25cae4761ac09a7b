/**
 * GET /api/watchdog/status — VistterStream's watchdog status, for its users' scripts (an alias
 * of /api/v1/watchdog/status, and like it a read open without the token):
 *
 *   { "watchdog_count": 1,
 *     "watchdogs": { "<stream id>": { "running": true, "consecutive_unhealthy": 0,
 *       "last_healthy_time": "2025-11-05T10:00:00.123000" | null,
 *       "last_recovery_time": … | null, "recovery_count": 0, "check_interval": 30 } } }
 *
 * As in VistterStream, a watchdog exists for each stream wanted running (stopped streams are not
 * listed); times are Python's `datetime.utcnow().isoformat()` (UTC, no offset); `check_interval`
 * is in seconds. The figures are both layers' (see recovery-summary.ts).
 */
import type { FastifyInstance } from 'fastify';
import { pythonUtcIsoformat } from '../../domain/seed/seed-time.js';
import type { AppDeps } from '../app-deps.js';
import { recoverySummary } from '../recovery-summary.js';
import { errorResponses, nullable } from '../schemas.js';

export interface SeedWatchdogDto {
  running: boolean;
  consecutive_unhealthy: number;
  last_healthy_time: string | null;
  last_recovery_time: string | null;
  recovery_count: number;
  check_interval: number | null;
}

const seedWatchdogSchema = {
  type: 'object',
  required: ['watchdog_count', 'watchdogs'],
  properties: {
    watchdog_count: { type: 'integer' },
    watchdogs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          running: { type: 'boolean' },
          consecutive_unhealthy: { type: 'integer' },
          last_healthy_time: nullable('string'),
          last_recovery_time: nullable('string'),
          recovery_count: { type: 'integer' },
          check_interval: nullable('number'),
        },
      },
    },
  },
} as const;

const pythonTime = (ms: number | undefined): string | null => (ms === undefined ? null : pythonUtcIsoformat(ms));

export function registerSeedWatchdogRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/watchdog/status', { schema: { response: { 200: seedWatchdogSchema, ...errorResponses } } }, () => {
    const watchdogs: Record<string, SeedWatchdogDto> = {};
    for (const stream of deps.supervisor.list()) {
      if (stream.desired !== 'running') continue;
      const view = deps.watchdog?.view(stream.spec.id);
      const summary = recoverySummary(stream, view);
      watchdogs[stream.spec.id] = {
        running: view !== undefined,
        consecutive_unhealthy: summary.consecutiveUnhealthy,
        last_healthy_time: pythonTime(summary.lastHealthyAt),
        last_recovery_time: pythonTime(summary.lastRecoveryAt),
        recovery_count: summary.recoveryCount,
        check_interval: view === undefined ? null : view.checkIntervalMs / 1_000,
      };
    }
    return { watchdog_count: Object.keys(watchdogs).length, watchdogs };
  });
}
