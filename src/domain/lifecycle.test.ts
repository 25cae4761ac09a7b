import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import {
  initialLifecycleState,
  OBSERVED_STATES,
  transition,
  TRANSITIONS,
  type Effect,
  type LifecycleConfig,
  type LifecycleEvent,
  type LifecycleEventType,
  type LifecycleState,
  type ObservedState,
} from './lifecycle.js';
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY } from './stream-spec.js';

const config: LifecycleConfig = {
  restart: DEFAULT_RESTART_POLICY,
  stop: DEFAULT_STOP_POLICY,
  startTimeoutMs: 30_000,
  stallTimeoutMs: 10_000,
};
const ctx = { now: 1_000_000, random: 0.5 };
const crash: LifecycleEvent = { type: 'exited', end: { code: 1, signal: null } };

const EVENTS: Record<LifecycleEventType, LifecycleEvent> = {
  start: { type: 'start' },
  stop: { type: 'stop' },
  restart: { type: 'restart' },
  progress: { type: 'progress' },
  'start-timeout': { type: 'start-timeout' },
  'stall-timeout': { type: 'stall-timeout' },
  'backoff-elapsed': { type: 'backoff-elapsed' },
  'kill-escalate': { type: 'kill-escalate' },
  exited: crash,
  adopted: { type: 'adopted', since: 900_000 },
};

function run(events: LifecycleEvent[], state = initialLifecycleState(), now = ctx.now): LifecycleState {
  return events.reduce((s, e) => transition(s, e, config, { ...ctx, now }).state, state);
}

/** A representative state for each observed state, reached through legal events only. */
const SAMPLES: Record<ObservedState, LifecycleState> = {
  stopped: initialLifecycleState(),
  starting: run([{ type: 'start' }]),
  running: run([{ type: 'start' }, { type: 'progress' }]),
  // running → crash: immediate restart (starting) → crash before progress: 1 s backoff
  backoff: run([{ type: 'start' }, { type: 'progress' }, crash, crash]),
  // 5 automatic restarts (the default budget) are allowed; the 6th failure is a crash loop.
  crashloop: run([{ type: 'start' }, crash, crash, { type: 'backoff-elapsed' }, crash, { type: 'backoff-elapsed' }, crash, { type: 'backoff-elapsed' }, crash, { type: 'backoff-elapsed' }, crash]),
  stopping: run([{ type: 'start' }, { type: 'progress' }, { type: 'stop' }]),
};

/** Expected next observed state for every (state, event) pair; undefined = illegal. */
const EXPECTED: Record<ObservedState, Partial<Record<LifecycleEventType, ObservedState>>> = {
  stopped: { start: 'starting', stop: 'stopped', restart: 'starting', adopted: 'running' },
  starting: { start: 'starting', stop: 'stopping', restart: 'stopping', progress: 'running', 'start-timeout': 'stopping', exited: 'starting' },
  running: { start: 'running', stop: 'stopping', restart: 'stopping', progress: 'running', 'stall-timeout': 'stopping', exited: 'starting' },
  backoff: { start: 'backoff', stop: 'stopped', restart: 'starting', 'backoff-elapsed': 'starting' },
  crashloop: { start: 'crashloop', stop: 'stopped', restart: 'starting', 'backoff-elapsed': 'starting' },
  stopping: { start: 'stopping', stop: 'stopping', restart: 'stopping', progress: 'stopping', 'kill-escalate': 'stopping', exited: 'stopped' },
};

const has = (effects: readonly Effect[], wanted: Partial<Effect>) =>
  effects.some((e) => Object.entries(wanted).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v));

describe('lifecycle: every (state, event) pair', () => {
  it('samples are in the state they stand for', () => {
    for (const s of OBSERVED_STATES) expect(SAMPLES[s].observed).toBe(s);
  });

  const pairs = OBSERVED_STATES.flatMap((s) => (Object.keys(EVENTS) as LifecycleEventType[]).map((e) => [s, e] as const));
  it.each(pairs)('%s + %s', (state, eventType) => {
    const expected = EXPECTED[state][eventType];
    const attempt = () => transition(SAMPLES[state], EVENTS[eventType], config, ctx);
    if (expected === undefined) {
      expect(attempt).toThrow(IllegalTransitionError);
      expect(TRANSITIONS[state][eventType]).toBeUndefined();
    } else {
      expect(attempt().state.observed).toBe(expected);
      expect(TRANSITIONS[state][eventType]).toContain(expected);
    }
  });

  it('names the state and the event when refusing', () => {
    expect(() => transition(SAMPLES.stopped, EVENTS.progress, config, ctx)).toThrow('event "progress" is not allowed in state "stopped"');
  });
});

describe('lifecycle: behaviour', () => {
  it('starting spawns and arms the start timeout', () => {
    const { state, effects } = transition(initialLifecycleState(), { type: 'start' }, config, ctx);
    expect(state.desired).toBe('running');
    expect(has(effects, { type: 'spawn' })).toBe(true);
    expect(has(effects, { type: 'set-timer', timer: 'start', ms: 30_000 })).toBe(true);
  });

  it('first progress makes it running and swaps the start timer for the stall timer', () => {
    const { state, effects } = transition(SAMPLES.starting, { type: 'progress' }, config, ctx);
    expect(state.runningSince).toBe(ctx.now);
    expect(effects).toEqual([
      { type: 'clear-timer', timer: 'start' },
      { type: 'set-timer', timer: 'stall', ms: 10_000 },
    ]);
  });

  it('a stall kills the group with SIGKILL and restarts immediately once it exits', () => {
    const killed = transition(SAMPLES.running, { type: 'stall-timeout' }, config, ctx);
    expect(has(killed.effects, { type: 'signal', signal: 'SIGKILL' })).toBe(true);
    const after = transition(killed.state, { type: 'exited', end: { code: null, signal: 'SIGKILL' } }, config, ctx);
    expect(after.state.observed).toBe('starting');
    const ended = after.effects.find((e) => e.type === 'run-ended');
    expect(ended).toMatchObject({ run: { reason: 'stalled', next: 'starting', countsAsRestart: true } });
    expect(has(after.effects, { type: 'spawn' })).toBe(true);
  });

  it('the start timeout kills a run that never made progress', () => {
    const killed = transition(SAMPLES.starting, { type: 'start-timeout' }, config, ctx);
    const after = transition(killed.state, { type: 'exited', end: { code: null, signal: 'SIGKILL' } }, config, ctx);
    expect(after.effects.find((e) => e.type === 'run-ended')).toMatchObject({ run: { reason: 'start-timeout' } });
  });

  it('stop escalates SIGINT → SIGTERM → SIGKILL with the configured graces', () => {
    const s1 = transition(SAMPLES.running, { type: 'stop' }, config, ctx);
    expect(s1.effects.filter((e) => e.type === 'signal' || e.type === 'set-timer')).toEqual([
      { type: 'signal', signal: 'SIGINT' },
      { type: 'set-timer', timer: 'kill', ms: 5_000 },
    ]);
    const s2 = transition(s1.state, { type: 'kill-escalate' }, config, ctx);
    expect(s2.effects).toEqual([
      { type: 'signal', signal: 'SIGTERM' },
      { type: 'set-timer', timer: 'kill', ms: 5_000 },
    ]);
    const s3 = transition(s2.state, { type: 'kill-escalate' }, config, ctx);
    expect(s3.effects).toEqual([{ type: 'signal', signal: 'SIGKILL' }]);
    const s4 = transition(s3.state, { type: 'kill-escalate' }, config, ctx);
    expect(s4.effects).toEqual([]);
  });

  it('exit 255 after our SIGINT is a clean stop and desired stays stopped', () => {
    const stopping = transition(SAMPLES.running, { type: 'stop' }, config, ctx).state;
    const { state, effects } = transition(stopping, { type: 'exited', end: { code: 255, signal: null } }, config, ctx);
    expect(state).toMatchObject({ observed: 'stopped', desired: 'stopped' });
    expect(effects.find((e) => e.type === 'run-ended')).toMatchObject({ run: { reason: 'stopped', countsAsRestart: false } });
    expect(has(effects, { type: 'spawn' })).toBe(false);
  });

  it('a restart request stops gracefully then spawns at once without spending the budget', () => {
    const stopping = transition(SAMPLES.running, { type: 'restart' }, config, ctx).state;
    const { state, effects } = transition(stopping, { type: 'exited', end: { code: 255, signal: null } }, config, ctx);
    expect(state.observed).toBe('starting');
    expect(state.restart).toEqual(SAMPLES.running.restart);
    expect(effects.find((e) => e.type === 'run-ended')).toMatchObject({ run: { reason: 'restarted', countsAsRestart: false } });
  });

  it('a counted (recovery) restart spends the budget: backoff, then crashloop once it is spent', () => {
    const cycle = (state: LifecycleState, now: number): { state: LifecycleState; next: unknown; counts: unknown } => {
      let s = state;
      if (s.observed === 'backoff') s = run([{ type: 'backoff-elapsed' }], s, now);
      if (s.observed === 'starting') s = run([{ type: 'progress' }], s, now);
      const stopping = transition(s, { type: 'restart', counted: true }, config, { ...ctx, now }).state;
      const result = transition(stopping, { type: 'exited', end: { code: 255, signal: null } }, config, { ...ctx, now });
      const ended = result.effects.find((e) => e.type === 'run-ended');
      return { state: result.state, next: ended?.type === 'run-ended' ? ended.run.next : undefined, counts: ended?.type === 'run-ended' ? ended.run.countsAsRestart : undefined };
    };
    let state = SAMPLES.running;
    const nexts: unknown[] = [];
    // N restarts are allowed; the failure after them (restart N + 1) is the crash loop.
    for (let i = 0; i <= config.restart.budget.restarts; i++) {
      const step = cycle(state, ctx.now + i * 1_000);
      expect(step.counts).toBe(true);
      nexts.push(step.next);
      state = step.state;
    }
    expect(nexts[0]).toBe('starting'); // the first restart is immediate
    expect(nexts.slice(1, -1).every((next) => next === 'backoff')).toBe(true);
    expect(nexts.at(-1)).toBe('crashloop');
    expect(state.restart.recentRestarts.length).toBe(config.restart.budget.restarts);
  });

  it('stop during a stall kill ends stopped; start during a stop ends starting', () => {
    const killing = transition(SAMPLES.running, { type: 'stall-timeout' }, config, ctx).state;
    const stopped = run([{ type: 'stop' }, { type: 'exited', end: { code: null, signal: 'SIGKILL' } }], killing);
    expect(stopped).toMatchObject({ observed: 'stopped', desired: 'stopped' });
    const restarted = run([{ type: 'start' }, { type: 'exited', end: { code: 255, signal: null } }], SAMPLES.stopping);
    expect(restarted).toMatchObject({ observed: 'starting', desired: 'running' });
  });

  it.each([
    ['spawn error', { code: null, signal: null, spawnError: { code: 'ENOENT', message: 'not found' } }, false, 'failed-to-start'],
    ['exit before progress', { code: 1, signal: null }, false, 'failed-to-start'],
    ['exit code after progress', { code: 1, signal: null }, true, 'exited'],
    ['clean exit after progress', { code: 0, signal: null }, true, 'exited'],
    ['foreign signal after progress', { code: null, signal: 'SIGSEGV' }, true, 'killed'],
  ] as const)('classifies %s', (_name, end, progressed, reason) => {
    const from = progressed ? SAMPLES.running : SAMPLES.starting;
    const { effects } = transition(from, { type: 'exited', end }, config, ctx);
    expect(effects.find((e) => e.type === 'run-ended')).toMatchObject({ run: { reason } });
  });

  it('a failing stream backs off and then sits in crashloop, retrying at the cap, never stopping for good', () => {
    let state = transition(initialLifecycleState(), { type: 'start' }, config, ctx).state;
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = transition(state, crash, config, { ...ctx, now: ctx.now + i * 1_000 });
      const delay = r.effects.find((e) => e.type === 'set-timer' && e.timer === 'backoff');
      seen.push(`${r.state.observed}:${delay && delay.type === 'set-timer' ? delay.ms : 0}`);
      state = r.state.observed === 'starting' ? r.state : transition(r.state, { type: 'backoff-elapsed' }, config, ctx).state;
      expect(state.desired).toBe('running');
    }
    // The budget: 5 automatic restarts; the 6th failure within 5 min is a crash loop.
    expect(seen.slice(0, 7)).toEqual(['starting:0', 'backoff:1000', 'backoff:2000', 'backoff:4000', 'backoff:8000', 'crashloop:60000', 'crashloop:60000']);
    expect(seen.at(-1)).toBe('crashloop:60000');
  });

  it('with crash-loop retries delegated, the crash-loop timer is the backstop at twice the delay; backoff is not', () => {
    let state = transition(initialLifecycleState(), { type: 'start' }, config, ctx).state;
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = transition(state, crash, config, { ...ctx, now: ctx.now + i * 1_000, crashloopDelegated: true });
      const delay = r.effects.find((e) => e.type === 'set-timer' && e.timer === 'backoff');
      const ended = r.effects.find((e) => e.type === 'run-ended');
      seen.push(`${r.state.observed}:${ended?.type === 'run-ended' ? ended.run.restartDelayMs : '-'}:${delay?.type === 'set-timer' ? delay.ms : 0}`);
      state = r.state.observed === 'starting' ? r.state : transition(r.state, { type: 'backoff-elapsed' }, config, ctx).state;
    }
    // The run reports the policy's delay; only the fast layer's own crash-loop retry waits twice as long.
    expect(seen).toEqual(['starting:0:0', 'backoff:1000:1000', 'backoff:2000:2000', 'backoff:4000:4000', 'backoff:8000:8000', 'crashloop:60000:120000']);
  });

  it('stop from backoff or crashloop cancels the pending restart', () => {
    for (const s of [SAMPLES.backoff, SAMPLES.crashloop]) {
      const { state, effects } = transition(s, { type: 'stop' }, config, ctx);
      expect(state).toMatchObject({ observed: 'stopped', desired: 'stopped' });
      expect(effects).toEqual([{ type: 'clear-timer', timer: 'backoff' }]);
    }
  });

  it('a healthy 10-minute run resets the backoff so the next failure restarts at once', () => {
    const start = ctx.now;
    let s = run([{ type: 'start' }, crash, crash, { type: 'backoff-elapsed' }], initialLifecycleState(), start);
    s = transition(s, { type: 'progress' }, config, { ...ctx, now: start + 1_000 }).state;
    const r = transition(s, crash, config, { ...ctx, now: start + 1_000 + 10 * 60_000 });
    expect(r.state.observed).toBe('starting');
  });

  it('adopted: a re-attached process is running since it was started, wanted running, watched for stalls', () => {
    const { state, effects } = transition(initialLifecycleState(), { type: 'adopted', since: 900_000 }, config, ctx);
    expect(state).toMatchObject({ observed: 'running', desired: 'running', runningSince: 900_000, madeProgress: true });
    expect(effects).toContainEqual({ type: 'set-timer', timer: 'stall', ms: config.stallTimeoutMs });
    expect(effects.some((e) => e.type === 'spawn')).toBe(false);
    // its end, cause unknown, is an unplanned exit the restart policy acts on
    const ended = transition(state, { type: 'exited', end: { code: null, signal: null } }, config, ctx);
    expect(ended.state.observed).toBe('starting');
    const runEnded = ended.effects.find((e) => e.type === 'run-ended');
    expect(runEnded?.type === 'run-ended' ? runEnded.run.reason : undefined).toBe('exited');
  });
});
