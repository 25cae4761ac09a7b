import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerMetricsRoutes } from './metrics.js';

describe('GET /metrics', () => {
  it('answers the rendered exposition with its content type', async () => {
    const app = Fastify({ logger: false });
    registerMetricsRoutes(app, {
      metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: () => Promise.resolve('# HELP x y\n# TYPE x gauge\nx 1\n') },
    });
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toBe('# HELP x y\n# TYPE x gauge\nx 1\n');
    await app.close();
  });

  it('does not exist when the daemon has no metrics', async () => {
    const app = Fastify({ logger: false });
    registerMetricsRoutes(app, {});
    expect((await app.inject('/metrics')).statusCode).toBe(404);
    await app.close();
  });

  it('answers 500 when rendering fails', async () => {
    const app = Fastify({ logger: false });
    registerMetricsRoutes(app, { metrics: { contentType: 'text/plain', render: () => Promise.reject(new Error('boom')) } });
    expect((await app.inject('/metrics')).statusCode).toBe(500);
    await app.close();
  });
});
