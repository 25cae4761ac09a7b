/**
 * Kubernetes-style health endpoints (DESIGN.md §4.3), each under two names:
 *
 *   GET /livez   = /health/liveness    liveness components only (no dependency checks)
 *   GET /readyz  = /health/readiness   liveness + readiness: 503 while starting and shutting down
 *   GET /healthz = /health/detailed    everything, with one component per stream
 *
 * 200 unless the report is `fail` (then 503). The body is `{status}`; with `?verbose` (always on
 * /health/detailed) it lists every component with its status and message. Like every read, none
 * needs the token (see app.ts): probes work without credentials.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { overallStatus, runComponents, streamComponent, type ComponentKind, type ComponentResult } from '../health-report.js';
import { errorResponses, healthQuery, healthSchema } from '../schemas.js';

type Probe = 'liveness' | 'readiness' | 'detailed';

const KINDS: Readonly<Record<Probe, readonly ComponentKind[]>> = {
  liveness: ['liveness'],
  readiness: ['liveness', 'readiness'],
  detailed: ['liveness', 'readiness', 'stream'],
};

/** `?verbose`, `?verbose=1`, `?verbose=true` ask for components; `?verbose=0|false` do not. */
export function wantsVerbose(query: unknown): boolean {
  if (typeof query !== 'object' || query === null || !('verbose' in query)) return false;
  const value = query.verbose;
  return value !== '0' && value !== 'false';
}

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const report = (probe: Probe): ComponentResult[] => {
    const kinds = KINDS[probe];
    const results = runComponents(deps.health.filter((component) => kinds.includes(component.kind)));
    if (kinds.includes('stream')) {
      for (const stream of deps.supervisor.list()) {
        const status = stream.status();
        results.push(streamComponent(status.id, status.state, status.desired, status.health));
      }
    }
    return results;
  };

  const answer = async (reply: FastifyReply, probe: Probe, verbose: boolean) => {
    const components = report(probe);
    const status = overallStatus(components);
    return reply.code(status === 'fail' ? 503 : 200).send(verbose ? { status, components } : { status });
  };

  const schema = { querystring: healthQuery, response: { 200: healthSchema, 503: healthSchema, ...errorResponses } };
  const routes: readonly (readonly [string, Probe, boolean])[] = [
    ['/livez', 'liveness', false],
    ['/health/liveness', 'liveness', false],
    ['/readyz', 'readiness', false],
    ['/health/readiness', 'readiness', false],
    ['/healthz', 'detailed', false],
    ['/health/detailed', 'detailed', true],
  ];
  for (const [path, probe, alwaysVerbose] of routes) {
    app.get(path, { schema }, (request, reply) => answer(reply, probe, alwaysVerbose || wantsVerbose(request.query)));
  }
}
