import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../stream-spec.js';
import {
  createCheckState,
  judgementFromSpec,
  recordResult,
  resetCheck,
  SKIPPED_MESSAGE,
  tickCheck,
  type CheckJudgement,
  type CheckState,
  type CheckStatus,
  type CheckTransition,
} from './check-state.js';

const S = 1_000;

function judgement(overrides: Partial<CheckJudgement> = {}): CheckJudgement {
  return { name: 'out', type: 'ffprobe', informational: false, successThreshold: 1, graceMs: 0, ...overrides };
}

/** `3f` fails at 3 s, `6+` succeeds at 6 s, `9s` is a skipped beat at 9 s. */
type Beat = `${number}${'+' | 'f' | 's'}`;

function play(config: CheckJudgement, beats: readonly Beat[]) {
  let state: CheckState = createCheckState(config, 0);
  const statuses: CheckStatus[] = [];
  const transitions: CheckTransition[] = [];
  for (const beat of beats) {
    const at = Number(beat.slice(0, -1)) * S;
    const kind = beat.slice(-1);
    const update = recordResult(state, {
      ok: kind === '+',
      skipped: kind === 's',
      message: kind === '+' ? 'ok' : `refused at ${at / S}`,
      at,
      // Instant probes: these beats are about counting; a probe's own duration is tested apart.
      durationMs: 0,
    });
    state = update.state;
    statuses.push(state.status);
    if (update.transition) transitions.push(update.transition);
  }
  return { state, statuses, transitions };
}

/** Beats every `step` seconds from `from` to `to` inclusive. */
function every(step: number, from: number, to: number, kind: '+' | 'f' | 's'): Beat[] {
  const beats: Beat[] = [];
  for (let t = from; t <= to; t += step) beats.push(`${t}${kind}`);
  return beats;
}

describe('count style (failureThreshold)', () => {
  it.each<[string, Partial<CheckJudgement>, Beat[], CheckStatus[]]>([
    ['3 failures from unknown', { failureThreshold: 3 }, ['30f', '60f', '90f'], ['unknown', 'unknown', 'failing']],
    ['3 failures from passing', { failureThreshold: 3 }, ['0+', '30f', '60f', '90f'], ['passing', 'passing', 'passing', 'failing']],
    ['a success breaks the count', { failureThreshold: 3 }, ['0f', '1f', '2+', '3f', '4f', '5f'], ['unknown', 'unknown', 'passing', 'passing', 'passing', 'failing']],
    ['threshold 1', { failureThreshold: 1 }, ['0+', '1f'], ['passing', 'failing']],
    ['neither style given: one failure trips', {}, ['0+', '1f'], ['passing', 'failing']],
    ['skipped beats neither count nor break', { failureThreshold: 3 }, ['0f', '1s', '2s', '3f', '4s', '5f'], ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'failing']],
  ])('%s', (_name, overrides, beats, expected) => {
    expect(play(judgement(overrides), beats).statuses).toEqual(expected);
  });
});

describe('duration style (unhealthyAfterMs, the motherstream rule)', () => {
  const config = judgement({ unhealthyAfterMs: 30 * S });

  it('a probe that hangs until its timeout has failed since it began: the streak starts then, never before the last result', () => {
    let state = recordResult(createCheckState(config, 0), { ok: true, message: 'ok', at: 10 * S, durationMs: 100 }).state;
    // The publisher froze; the next probe starts at 11 s and times out 4 s later.
    state = recordResult(state, { ok: false, message: 'timed out after 4 s', at: 15 * S, durationMs: 4 * S }).state;
    expect(state).toMatchObject({ failureStreakSince: 11 * S, lastDurationMs: 4 * S });
    expect(tickCheck(state, 40 * S).state.status).toBe('passing');
    expect(tickCheck(state, 41 * S).transition?.to).toBe('failing');
    // A duration longer than the gap since the previous result cannot move the start before it.
    const late = recordResult(createCheckState(config, 0), { ok: true, message: 'ok', at: 10 * S, durationMs: 100 }).state;
    expect(recordResult(late, { ok: false, message: 'x', at: 12 * S, durationMs: 9 * S }).state.failureStreakSince).toBe(10 * S);
  });

  it('fails after 30 s of continuous failure, measured from the first failure', () => {
    const { statuses, transitions } = play(config, ['0+', ...every(3, 3, 33, 'f')]);
    expect(statuses.at(-2)).toBe('passing'); // 30 s: only 27 s since the first failure
    expect(statuses.at(-1)).toBe('failing'); // 33 s: 30 s since the first failure
    expect(transitions.at(-1)).toEqual({ from: 'passing', to: 'failing', at: 33 * S, reason: 'failing for 30 s without a success: refused at 33' });
  });

  it('a single success inside the 30 s resets the timer', () => {
    const beats = [...every(3, 3, 27, 'f'), '30+' as Beat, ...every(3, 33, 60, 'f')];
    const { state } = play(config, beats);
    expect(state.status).toBe('passing');
    expect(state.failureStreakSince).toBe(33 * S);
    expect(play(config, [...beats, '63f']).state.status).toBe('failing');
  });

  it('skipped beats let time run on a started streak', () => {
    const { statuses, state } = play(config, ['3f', ...every(3, 6, 33, 's')]);
    expect(statuses.at(-2)).toBe('unknown');
    expect(statuses.at(-1)).toBe('failing');
    expect(state.skippedBeats).toBe(10);
    expect(state.note).toBe(SKIPPED_MESSAGE);
    expect(state.lastMessage).toBe('refused at 3');
  });

  it('skipped beats alone never make a check failing', () => {
    expect(play(config, every(3, 0, 120, 's')).state.status).toBe('unknown');
  });

  it('either style trips when both are given', () => {
    const both = judgement({ unhealthyAfterMs: 30 * S, failureThreshold: 3 });
    expect(play(both, ['0f', '1f', '2f']).state.status).toBe('failing');
    expect(play(both, ['0f', '31f']).state.status).toBe('failing');
  });
});

describe('recovery (successThreshold)', () => {
  it.each<[string, number, Beat[], CheckStatus[]]>([
    ['M = 1', 1, ['0f', '1+'], ['failing', 'passing']],
    ['M = 3', 3, ['0f', '1+', '2+', '3+'], ['failing', 'failing', 'failing', 'passing']],
    ['a failure restarts the count', 2, ['0f', '1+', '2f', '3+', '4+'], ['failing', 'failing', 'failing', 'failing', 'passing']],
    ['from unknown too', 2, ['0+', '1+'], ['unknown', 'passing']],
    ['skips do not break a success run', 2, ['0f', '1+', '2s', '3+'], ['failing', 'failing', 'failing', 'passing']],
  ])('%s', (_name, successThreshold, beats, expected) => {
    expect(play(judgement({ failureThreshold: 1, successThreshold }), beats).statuses).toEqual(expected);
  });
});

describe('start grace', () => {
  it('failures inside the grace are recorded but never make it failing', () => {
    const { state } = play(judgement({ failureThreshold: 1, graceMs: 30 * S }), every(3, 0, 27, 'f'));
    expect(state.status).toBe('unknown');
    expect(state.consecutiveFailures).toBe(10);
    expect(state.countedFailures).toBe(0);
    expect(state.lastMessage).toBe('refused at 27');
  });

  it('the count starts at the grace end', () => {
    const { statuses } = play(judgement({ failureThreshold: 3, graceMs: 30 * S }), ['10f', '20f', '30f', '40f', '50f']);
    expect(statuses).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'failing']);
  });

  it('the duration clock starts at the grace end', () => {
    const config = judgement({ unhealthyAfterMs: 30 * S, graceMs: 30 * S });
    expect(play(config, every(3, 3, 57, 'f')).state.status).toBe('unknown');
    expect(play(config, every(3, 3, 60, 'f')).state.status).toBe('failing');
  });

  it('a success inside the grace counts at once', () => {
    expect(play(judgement({ failureThreshold: 1, graceMs: 30 * S }), ['5+']).state.status).toBe('passing');
  });
});

describe('bookkeeping', () => {
  it('keeps the last message, times and counters', () => {
    const { state } = play(judgement({ failureThreshold: 2 }), ['1+', '2+', '3f', '4f', '5f']);
    expect(state).toMatchObject({
      status: 'failing',
      statusSince: 4 * S,
      failingSince: 4 * S,
      lastMessage: 'refused at 5',
      lastOk: false,
      lastSuccessAt: 2 * S,
      lastFailureAt: 5 * S,
      lastCheckedAt: 5 * S,
      lastDurationMs: 0,
      consecutiveFailures: 3,
      consecutiveSuccesses: 0,
      failureStreakSince: 3 * S,
      results: 5,
    });
    const recovered = play(judgement({ failureThreshold: 2 }), ['3f', '4f', '5+']).state;
    expect(recovered.failingSince).toBeUndefined();
    expect(recovered.failureStreakSince).toBeUndefined();
  });

  it('reports each transition once, with a reason', () => {
    const { transitions } = play(judgement({ failureThreshold: 2, successThreshold: 2 }), ['1+', '2+', '3f', '4f', '5f', '6+', '7+', '8+']);
    expect(transitions).toEqual([
      { from: 'unknown', to: 'passing', at: 2 * S, reason: '2 consecutive successes' },
      { from: 'passing', to: 'failing', at: 4 * S, reason: '2 consecutive failures: refused at 4' },
      { from: 'failing', to: 'passing', at: 7 * S, reason: '2 consecutive successes' },
    ]);
  });

  it('a real result clears the skipped note', () => {
    const { state } = play(judgement(), ['1s', '2+']);
    expect(state.note).toBeUndefined();
    expect(state.skippedBeats).toBe(1);
    expect(state.results).toBe(1);
  });

  it('a clock stepping back does not reverse a streak', () => {
    const { state } = play(judgement({ unhealthyAfterMs: 30 * S }), ['10f', '5f']);
    expect(state.failureStreakSince).toBe(10 * S);
    expect(state.lastCheckedAt).toBe(10 * S);
  });

  it('keeps the informational flag', () => {
    const { state } = play(judgement({ informational: true, failureThreshold: 1 }), ['1f']);
    expect(state.status).toBe('failing');
    expect(state.config.informational).toBe(true);
  });
});

describe('tickCheck and resetCheck', () => {
  it('tickCheck trips the duration rule on time alone', () => {
    const { state } = play(judgement({ unhealthyAfterMs: 30 * S }), ['3f']);
    expect(tickCheck(state, 32 * S).state.status).toBe('unknown');
    expect(tickCheck(state, 33 * S).transition?.to).toBe('failing');
  });

  it('tickCheck never trips the count rule or a check without a streak', () => {
    const { state } = play(judgement({ failureThreshold: 3 }), ['1+', '2f']);
    expect(tickCheck(state, 1_000 * S).state).toBe(state);
  });

  it('resetCheck returns to unknown with a new grace', () => {
    const { state } = play(judgement({ failureThreshold: 1, graceMs: 10 * S }), ['20f']);
    const reset = resetCheck(state, 100 * S);
    expect(reset).toMatchObject({ status: 'unknown', statusSince: 100 * S, graceUntil: 110 * S, consecutiveFailures: 0, results: 0 });
    expect(reset.config).toBe(state.config);
  });
});

describe('judgementFromSpec', () => {
  const spec: CheckSpec = {
    type: 'ffprobe',
    name: 'output',
    intervalMs: 3_000,
    timeoutMs: 10_000,
    informational: false,
    unhealthyAfterMs: 30_000,
    successThreshold: 2,
    settings: { url: 'rtmp://127.0.0.1/live/out', expect: {} },
  };

  it('copies the thresholds and applies the default grace', () => {
    expect(judgementFromSpec(spec)).toEqual({
      name: 'output',
      type: 'ffprobe',
      informational: false,
      unhealthyAfterMs: 30_000,
      successThreshold: 2,
      graceMs: 30_000,
    });
    expect(judgementFromSpec({ ...spec, failureThreshold: 3 }, 5_000)).toMatchObject({ failureThreshold: 3, graceMs: 5_000 });
  });
});
