/**
 * Kubernetes-style health endpoints (DESIGN.md §4.3):
 *
 *   GET /livez    liveness components only (no dependency checks)
 *   GET /readyz   liveness + readiness: 503 while starting, shutting down, the store unusable, or
 *                 (unless turned off) a stream wanted running in a crash loop
 *   GET /healthz  everything, with one component per stream
 *
 * 200 unless the report is `fail` (then 503). The body is `{status}`, plus `failing` (name and
 * message of each failing component that counts) when it fails; with `?verbose` it lists every
 * component with its status and message. Their `/health/liveness`, `/health/readiness` and
 * `/health/detailed` names answer in the radio module's shape (seed-health.ts). Like every read,
 * none needs the token (see app.ts): probes work without credentials.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { overallStatus, runComponents, streamComponent, type ComponentKind, type ComponentResult } from '../health-report.js';
import { errorResponses, healthQuery, healthSchema } from '../schemas.js';

export type Probe = 'liveness' | 'readiness' | 'detailed';

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

/** The components a probe looks at, run now. */
export function probeReport(deps: AppDeps, probe: Probe): ComponentResult[] {
  const kinds = KINDS[probe];
  const results = runComponents(deps.health.filter((component) => kinds.includes(component.kind)));
  if (kinds.includes('stream')) {
    for (const stream of deps.supervisor.list()) {
      const status = stream.status();
      results.push(streamComponent(status.id, status.state, status.desired, status.health));
    }
  }
  return results;
}

/** The components that make a report fail (stream components never do). */
export function failingComponents(components: readonly ComponentResult[]): ComponentResult[] {
  return components.filter((component) => component.status === 'fail' && component.kind !== 'stream');
}

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const answer = async (reply: FastifyReply, probe: Probe, verbose: boolean) => {
    const components = probeReport(deps, probe);
    const status = overallStatus(components);
    const failing = failingComponents(components).map(({ name, message }) => ({ name, message }));
    const body = verbose ? { status, components } : status === 'fail' ? { status, failing } : { status };
    return reply.code(status === 'fail' ? 503 : 200).send(body);
  };

  const schema = { querystring: healthQuery, response: { 200: healthSchema, 503: healthSchema, ...errorResponses } };
  const routes: readonly (readonly [string, Probe])[] = [
    ['/livez', 'liveness'],
    ['/readyz', 'readiness'],
    ['/healthz', 'detailed'],
  ];
  for (const [path, probe] of routes) {
    app.get(path, { schema }, (request, reply) => answer(reply, probe, wantsVerbose(request.query)));
  }
}
