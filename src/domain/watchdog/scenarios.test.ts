/**
 * The seed scenarios played through the pure pieces together, on a fake clock: checks → stream
 * health → recovery policy → input failover → recovery record. The shell does the same with
 * real probes and processes.
 */
import { describe, expect, it } from 'vitest';
import { createCheckState, recordResult, resetCheck, type CheckState } from './check-state.js';
import { createDegradationState, observeProgress, type DegradationBreach } from './degradation.js';
import { classifyFailure } from './failure-locus.js';
import { createInputFailover, onPublisherDropped, type InputFailoverState } from './input-failover.js';
import { buildRecoveryRecord } from './recovery-record.js';
import { decideRecovery, INITIAL_RECOVERY_STATE, type RecoveryPolicyConfig, type RecoveryState } from './recovery-policy.js';
import { deriveStreamHealth } from './stream-health.js';

const S = 1_000;

const MOTHERSTREAM: RecoveryPolicyConfig = {
  ladder: ['notify', 'drop-publisher'],
  cooldownMs: 60 * S,
  settleMs: { restart: 30 * S, 'drop-publisher': 30 * S, 'next-input': 30 * S, notify: 0 },
  intentionalGraceMs: 30 * S,
  budget: { restarts: 5, withinMs: 300 * S },
  slowRetryMs: 60 * S,
};

describe('motherstream: ffprobe every 3 s, 30 s without a success → drop publisher, next in queue, reset', () => {
  function play(outputUp: (t: number) => boolean, until: number) {
    let check: CheckState = createCheckState(
      { name: 'output', type: 'ffprobe', informational: false, unhealthyAfterMs: 30 * S, successThreshold: 1, graceMs: 0 },
      0,
    );
    let policy: RecoveryState = INITIAL_RECOVERY_STATE;
    let queue: InputFailoverState = createInputFailover({ inputCount: 3, mode: 'rotate' }, 0);
    const log: string[] = [];
    for (let t = 0; t <= until; t += 3) {
      const ok = outputUp(t);
      check = recordResult(check, { ok, message: ok ? 'video+audio' : 'Input/output error', at: t * S, durationMs: 200 }).state;
      const health = deriveStreamHealth({ observed: 'running', checks: [check] });
      const decision = decideRecovery(MOTHERSTREAM, policy, {
        now: t * S,
        health: health.health,
        observed: 'running',
        fastRestarts: [],
        summary: health.reason,
        ...(health.unhealthySince !== undefined && { unhealthySince: health.unhealthySince }),
      });
      policy = decision.state;
      for (const action of decision.actions) {
        log.push(`${t} ${action.type}`);
        if (action.type === 'drop-publisher') {
          const update = onPublisherDropped(queue, t * S);
          queue = update.state;
          log.push(`${t} source ${update.switch?.to ?? '?'}`);
          check = resetCheck(check, t * S);
        }
      }
    }
    return { log, policy, check };
  }

  it('drops the publisher after 30 s of continuous failure and moves to the next source', () => {
    const { log } = play((t) => t < 9, 45);
    // Fails from 9 s; 30 s later (39 s) the check is failing: Discord + drop + next source.
    expect(log).toEqual(['39 notify', '39 drop-publisher', '39 source 1']);
  });

  it('a single success inside the 30 s resets the timer', () => {
    const { log } = play((t) => t < 9 || t === 30, 66);
    expect(log).toEqual(['63 notify', '63 drop-publisher', '63 source 1']);
  });

  it('the next source going live resets the health state and the ladder', () => {
    const { log, policy, check } = play((t) => t < 9 || t > 42, 60);
    expect(log).toEqual(['39 notify', '39 drop-publisher', '39 source 1']);
    expect(check.status).toBe('passing');
    expect(policy.rung).toBe(0);
    expect(policy.episode).toBeUndefined();
  });
});

describe('radio: a bitrate collapse is degraded, not restarted', () => {
  it('warns after 15 s and the policy takes no action', () => {
    let degradation = createDegradationState(0);
    let breaches: readonly DegradationBreach[] = [];
    let policy: RecoveryState = INITIAL_RECOVERY_STATE;
    const actions: string[] = [];
    for (let t = 0; t <= 200; t++) {
      const bitrate = t < 150 ? 2_000_000 : 50_000; // the source drops to near silence
      const report = observeProgress(degradation, { at: t * S, speed: 1, fps: 1, bitrate });
      degradation = report.state;
      breaches = report.breaches;
      const health = deriveStreamHealth({ observed: 'running', checks: [], degradation: breaches });
      const decision = decideRecovery(MOTHERSTREAM, policy, { now: t * S, health: health.health, observed: 'running', fastRestarts: [] });
      policy = decision.state;
      actions.push(...decision.actions.map((a) => a.type));
    }
    expect(breaches.map((b) => b.message)).toEqual(['bitrate 50 kb/s below 20 % of baseline 2 Mb/s for 50 s']);
    expect(deriveStreamHealth({ observed: 'running', checks: [], degradation: breaches }).health).toBe('degraded');
    expect(actions).toEqual([]);
    expect(classifyFailure({ endpoints: { inputs: [] }, degradation: breaches.map((b) => b.rule) }).locus).toBe('input');
  });
});

describe('VistterStream: the watchdog recovers a stream the fast layer gave up on', () => {
  it('records the recovery with locus, detection and recovery times', () => {
    const fastRestarts = [0, 2, 5, 10, 18].map((t) => t * S); // 5 kills: crashloop at 18 s
    let policy: RecoveryState = INITIAL_RECOVERY_STATE;
    let record;
    for (let t = 18; t <= 120; t++) {
      const observed = t < 80 ? 'crashloop' : 'running';
      const health = t < 80 ? 'unhealthy' : 'healthy';
      const decision = decideRecovery(MOTHERSTREAM, policy, { now: t * S, health, observed, fastRestarts });
      policy = decision.state;
      if (decision.recovered) {
        record = buildRecoveryRecord({
          stream: 'camera',
          failure: classifyFailure({ endpoints: { inputs: [] }, exit: { reason: 'killed', signal: 'SIGKILL' } }),
          failedAt: 0,
          detectedAt: decision.recovered.startedAt,
          actions: decision.recovered.actions,
          recoveredAt: decision.recovered.recoveredAt,
        });
      }
    }
    expect(record).toMatchObject({ stream: 'camera', locus: 'encoder', cause: 'crashed', action: 'restart', detectedAfterMs: 18 * S, recoveredAfterMs: 62 * S });
    expect(record?.actions.map((a) => `${a.at / S} ${a.type}`)).toEqual(['18 notify', '78 restart', '78 notify']);
  });
});
