/** A complete StreamSpec with the documented defaults, for tests; pass only what the test is about. */
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type StreamSpec } from '../../src/domain/stream-spec.js';

export function testStreamSpec(id: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    id,
    name: id,
    desired: 'running',
    source: { kind: 'args', args: ['-i', 'in.mp4', '-f', 'null', '-'] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs: 10_000,
    checks: [],
    onUnhealthy: [],
    notify: [],
    ...overrides,
  };
}
