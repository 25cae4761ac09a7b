import { describe, expect, it } from 'vitest';
import type { Health } from '../health.js';
import type { ObservedState } from '../lifecycle.js';
import { createCheckState, recordResult, type CheckState, type CheckStatus } from './check-state.js';
import type { DegradationBreach } from './degradation.js';
import { deriveStreamHealth } from './stream-health.js';

/** A check driven into `status` (failing after 2 failures at 1 s and 2 s). */
function check(name: string, status: CheckStatus, informational = false): CheckState {
  let state = createCheckState({ name, type: 'ffprobe', informational, failureThreshold: 2, successThreshold: 1, graceMs: 0 }, 0);
  if (status === 'passing') state = recordResult(state, { ok: true, message: 'ok', at: 1_000, durationMs: 0 }).state;
  if (status === 'failing') {
    for (const at of [1_000, 2_000]) state = recordResult(state, { ok: false, message: `${name} refused`, at, durationMs: 0 }).state;
  }
  return state;
}

const slow: DegradationBreach = { rule: 'speed', value: 0.8, threshold: 0.95, heldMs: 31_000, message: 'speed 0.80x below 0.95 for 31 s' };

describe('deriveStreamHealth', () => {
  it.each<[string, ObservedState, CheckState[], DegradationBreach[], Health]>([
    ['backoff is unhealthy', 'backoff', [check('a', 'passing')], [], 'unhealthy'],
    ['crashloop is unhealthy', 'crashloop', [], [], 'unhealthy'],
    ['stopped is unknown', 'stopped', [check('a', 'failing')], [], 'unknown'],
    ['starting is unknown', 'starting', [check('a', 'failing')], [], 'unknown'],
    ['stopping is unknown', 'stopping', [], [], 'unknown'],
    ['running, no checks: healthy', 'running', [], [], 'healthy'],
    ['running, a check passing: healthy', 'running', [check('a', 'passing'), check('b', 'unknown')], [], 'healthy'],
    ['running, all checks unknown: unknown', 'running', [check('a', 'unknown'), check('b', 'unknown')], [], 'unknown'],
    ['running, a check failing: unhealthy', 'running', [check('a', 'passing'), check('b', 'failing')], [], 'unhealthy'],
    ['failing beats degraded', 'running', [check('a', 'failing')], [slow], 'unhealthy'],
    ['running, degraded', 'running', [check('a', 'passing')], [slow], 'degraded'],
    ['degraded without checks', 'running', [], [slow], 'degraded'],
    ['informational failing changes nothing', 'running', [check('a', 'passing'), check('i', 'failing', true)], [], 'healthy'],
    ['only informational checks: healthy', 'running', [check('i', 'failing', true)], [], 'healthy'],
  ])('%s', (_name, observed, checks, degradation, expected) => {
    expect(deriveStreamHealth({ observed, checks, degradation }).health).toBe(expected);
  });

  it('lists the failing checks with their last messages, informational apart', () => {
    const report = deriveStreamHealth({
      observed: 'running',
      checks: [check('output', 'failing'), check('cdn', 'failing', true), check('api', 'passing')],
    });
    expect(report.failing).toEqual([
      { name: 'output', type: 'ffprobe', informational: false, message: 'output refused', failingSince: 2_000, consecutiveFailures: 2 },
    ]);
    expect(report.informational.map((c) => c.name)).toEqual(['cdn']);
    expect(report.reason).toBe('output: output refused');
    expect(report.unhealthySince).toBe(2_000);
    expect(report.failingSince).toBe(1_000); // its streak began with the first failure
    expect(report.consecutiveFailures).toBe(2);
  });

  it('failingSince is when the streak began: a check that trips after 30 s of failures has failed for 30 s', () => {
    let state = createCheckState({ name: 'out', type: 'ffprobe', informational: false, unhealthyAfterMs: 30_000, successThreshold: 1, graceMs: 0 }, 0);
    for (let at = 10_000; at <= 40_000; at += 3_000) state = recordResult(state, { ok: false, message: 'refused', at, durationMs: 0 }).state;
    expect(state.status).toBe('failing');
    const report = deriveStreamHealth({ observed: 'running', checks: [state] });
    expect(report.unhealthySince).toBe(40_000);
    expect(report.failingSince).toBe(10_000);
  });

  it('gives a reason for every verdict', () => {
    expect(deriveStreamHealth({ observed: 'crashloop', checks: [] }).reason).toBe('process is in crashloop');
    expect(deriveStreamHealth({ observed: 'running', checks: [], degradation: [slow] }).reason).toBe('degraded: speed 0.80x below 0.95 for 31 s');
    expect(deriveStreamHealth({ observed: 'running', checks: [check('a', 'unknown')] }).reason).toBe('no check has a verdict yet');
    expect(deriveStreamHealth({ observed: 'running', checks: [check('a', 'passing'), check('b', 'unknown')] }).reason).toBe(
      '1 of 2 checks passing, none failing',
    );
  });

  it('has no unhealthySince unless unhealthy by a check', () => {
    expect(deriveStreamHealth({ observed: 'backoff', checks: [] }).unhealthySince).toBeUndefined();
    expect(deriveStreamHealth({ observed: 'running', checks: [check('i', 'failing', true)] }).unhealthySince).toBeUndefined();
  });
});
