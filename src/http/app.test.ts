import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type StreamSpec } from '../domain/stream-spec.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { buildApp } from './app.js';
import type { StreamDto } from './stream-dto.js';

function spec(id: string, desired: 'running' | 'stopped'): StreamSpec {
  return {
    id,
    name: `Stream ${id}`,
    desired,
    source: { kind: 'args', args: ['-i', 'x', '-f', 'flv', `rtmp://127.0.0.1/live/${id}-key`] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs: 10_000,
    checks: [],
    onUnhealthy: [],
    notify: [],
  };
}

function setup(live = true) {
  const clock = new FakeClock();
  const runner = new FakeProcessRunner();
  const supervisor = new Supervisor([spec('cam', 'running'), spec('idle', 'stopped')], {
    clock,
    runner,
    ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
    logger: silentLogger,
    redact: (t) => t,
    random: () => 0.5,
  });
  supervisor.startDesired();
  return { clock, runner, supervisor, app: buildApp({ supervisor, isLive: () => live, redact: (t) => t }) };
}

describe('http app', () => {
  it('GET /livez answers 200 while the heartbeat is live and 503 when it is not', async () => {
    expect((await setup(true).app.inject('/livez')).statusCode).toBe(200);
    const dead = await setup(false).app.inject('/livez');
    expect(dead.statusCode).toBe(503);
    expect(dead.json()).toEqual({ status: 'fail' });
  });

  it('GET /api/v1/streams lists every stream with the contract fields', async () => {
    const { app, clock, runner } = setup();
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      runner.last.progress();
    }
    const response = await app.inject('/api/v1/streams');
    expect(response.statusCode).toBe(200);
    const [cam, idle] = response.json<StreamDto[]>();
    expect(cam).toEqual({
      id: 'cam',
      name: 'Stream cam',
      desired: 'running',
      state: 'running',
      health: 'healthy',
      pid: 1000,
      restarts: 0,
      uptimeSeconds: 2,
      lastError: null,
      progress: { fps: 25, bitrateBps: 1_000_000, speed: 1, frames: 75, outTimeSeconds: 3 },
    });
    expect(idle).toMatchObject({ id: 'idle', desired: 'stopped', state: 'stopped', health: 'unknown', pid: null, progress: { fps: null } });
  });

  it('answers 404 with a JSON body for an unknown route', async () => {
    const response = await setup().app.inject('/api/v1/nothing');
    expect(response.statusCode).toBe(404);
  });
});
