/**
 * GET /metrics: the Prometheus text exposition (DESIGN.md §4.4). Outside /api/, so a scraper
 * needs no token; it carries no secret (labels are ids and fixed lists, never URLs or keys).
 */
import type { FastifyInstance } from 'fastify';

/** What the route needs (StreamwardenMetrics satisfies it). */
export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

/** Registers GET /metrics when the daemon has metrics; without them the route does not exist. */
export function registerMetricsRoutes(app: FastifyInstance, deps: { readonly metrics?: MetricsEndpoint | undefined }): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
