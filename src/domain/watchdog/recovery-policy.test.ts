import { describe, expect, it } from 'vitest';
import type { Health } from '../health.js';
import type { ObservedState } from '../lifecycle.js';
import { DEFAULT_RESTART_POLICY, type RecoveryAction, type StreamSpec } from '../stream-spec.js';
import {
  decideRecovery,
  INITIAL_RECOVERY_STATE,
  MAX_EPISODE_ACTIONS,
  noteIntentionalRestart,
  recoveryConfigFromSpec,
  type RecoveryDecision,
  type RecoveryPolicyConfig,
  type RecoveryState,
} from './recovery-policy.js';

const S = 1_000;
const LADDER: RecoveryAction[] = ['restart', 'drop-publisher', 'next-input', 'notify'];

function config(overrides: Partial<RecoveryPolicyConfig> = {}): RecoveryPolicyConfig {
  return {
    ladder: LADDER,
    cooldownMs: 60 * S,
    settleMs: { restart: 30 * S, 'drop-publisher': 30 * S, 'next-input': 30 * S, notify: 0 },
    intentionalGraceMs: 30 * S,
    budget: { restarts: 5, withinMs: 300 * S },
    slowRetryMs: 60 * S,
    ...overrides,
  };
}

interface World {
  readonly health: Health;
  readonly observed?: ObservedState;
  readonly fastRestarts?: readonly number[];
}

/** Calls the decider once a second over [from, to] s; returns what it did, when. */
function simulate(cfg: RecoveryPolicyConfig, world: (t: number) => World, from: number, to: number, initial: RecoveryState = INITIAL_RECOVERY_STATE) {
  let state = initial;
  const acted: [number, string][] = [];
  const decisions: [number, RecoveryDecision][] = [];
  for (let t = from; t <= to; t++) {
    const w = world(t);
    const decision = decideRecovery(cfg, state, {
      now: t * S,
      health: w.health,
      observed: w.observed ?? 'running',
      fastRestarts: (w.fastRestarts ?? []).map((at) => at * S),
      summary: 'out: Connection refused',
    });
    state = decision.state;
    decisions.push([t, decision]);
    if (decision.actions.length > 0) acted.push([t, decision.actions.map((a) => a.type).join('+')]);
  }
  return { state, acted, decisions };
}

const always = (health: Health, observed: ObservedState = 'running') => (): World => ({ health, observed });

describe('the ladder', () => {
  it('escalates rung by rung while unhealthy, a notice at the end, then starts over after the cooldown', () => {
    const { acted } = simulate(config(), always('unhealthy'), 0, 300);
    expect(acted).toEqual([
      [0, 'restart'],
      [60, 'drop-publisher'],
      [120, 'next-input'],
      [150, 'notify'],
      [210, 'restart'],
      [270, 'drop-publisher'],
    ]);
  });

  it('waits for the settle time when it is longer than the cooldown', () => {
    const cfg = config({ settleMs: { restart: 90 * S, 'drop-publisher': 30 * S, 'next-input': 30 * S, notify: 0 } });
    expect(simulate(cfg, always('unhealthy'), 0, 100).acted).toEqual([
      [0, 'restart'],
      [90, 'drop-publisher'],
    ]);
  });

  it('sends leading notify rungs together with the first fix (the motherstream drop + Discord)', () => {
    const { acted } = simulate(config({ ladder: ['notify', 'drop-publisher'] }), always('unhealthy'), 0, 60);
    expect(acted).toEqual([
      [0, 'notify+drop-publisher'],
      [60, 'notify+drop-publisher'],
    ]);
  });

  it('sends a notify rung at once even when the next fix must wait for the cooldown', () => {
    const { acted } = simulate(config({ ladder: ['restart', 'notify', 'drop-publisher'] }), always('unhealthy'), 0, 60);
    expect(acted).toEqual([
      [0, 'restart'],
      [30, 'notify'],
      [60, 'drop-publisher'],
    ]);
  });

  it('a notify-only ladder reminds once per cooldown', () => {
    expect(simulate(config({ ladder: ['notify'] }), always('unhealthy'), 0, 130).acted).toEqual([
      [0, 'notify'],
      [60, 'notify'],
      [120, 'notify'],
    ]);
  });

  it('does nothing with an empty ladder, and says so', () => {
    const { acted, decisions } = simulate(config({ ladder: [] }), always('unhealthy'), 0, 10);
    expect(acted).toEqual([]);
    expect(decisions[0]?.[1].reason).toBe('unhealthy, but no recovery actions are configured (onUnhealthy is empty)');
  });

  it('gives each action a reason', () => {
    const { decisions } = simulate(config(), always('unhealthy'), 0, 60);
    expect(decisions[0]?.[1].actions).toEqual([{ type: 'restart', reason: 'unhealthy for 0 s: out: Connection refused' }]);
    expect(decisions[60]?.[1].actions).toEqual([{ type: 'drop-publisher', reason: 'restart did not help within 30 s: out: Connection refused' }]);
    expect(decisions[10]?.[1].reason).toBe('waiting 20 s more for restart to settle');
    expect(decisions[40]?.[1].reason).toBe('cooldown: last recovery 40 s ago, 60 s between recoveries; next: drop-publisher');
  });
});

describe('recovery resets the ladder', () => {
  it('a healthy stream goes back to the first rung and returns the episode', () => {
    const world = (t: number): World => ({ health: t < 40 || t >= 100 ? 'unhealthy' : 'healthy' });
    const { acted, decisions } = simulate(config(), world, 0, 100);
    expect(acted).toEqual([
      [0, 'restart'],
      [100, 'restart'],
    ]);
    const recovered = decisions[40]?.[1];
    expect(recovered?.reason).toBe('healthy again after 40 s: recovery ladder reset');
    expect(recovered?.recovered).toEqual({
      startedAt: 0,
      recoveredAt: 40 * S,
      actions: [{ type: 'restart', at: 0, reason: 'unhealthy for 0 s: out: Connection refused' }],
    });
    expect(recovered?.state).toMatchObject({ rung: 0, lastHealthyAt: 40 * S, recoveryCount: 1 });
    expect(decisions[41]?.[1].recovered).toBeUndefined();
  });

  it('keeps the cooldown across episodes (a flapping stream is not restarted in a loop)', () => {
    const world = (t: number): World => ({ health: t >= 10 && t < 20 ? 'healthy' : 'unhealthy' });
    expect(simulate(config(), world, 0, 70).acted).toEqual([
      [0, 'restart'],
      [60, 'restart'],
    ]);
  });

  it('holds the rung while health is unknown or degraded, and escalates if unhealthy again', () => {
    const world = (t: number): World => ({ health: t === 0 || t >= 90 ? 'unhealthy' : t < 50 ? 'unknown' : 'degraded' });
    const { acted, decisions } = simulate(config(), world, 0, 90);
    expect(acted).toEqual([
      [0, 'restart'],
      [90, 'drop-publisher'],
    ]);
    expect(decisions[45]?.[1].reason).toBe('health unknown: waiting for a verdict');
    expect(decisions[60]?.[1].reason).toBe('degraded: a warning, no action');
  });

  it('starts the episode at the reported unhealthy time', () => {
    const decision = decideRecovery(config(), INITIAL_RECOVERY_STATE, { now: 45 * S, health: 'unhealthy', observed: 'running', fastRestarts: [], unhealthySince: 15 * S });
    expect(decision.actions[0]?.reason).toBe('unhealthy for 30 s: stream unhealthy');
    expect(decision.state.episode?.startedAt).toBe(15 * S);
  });

  it('says how long the checks have been failing, not how long ago the threshold tripped', () => {
    const input = { now: 45 * S, health: 'unhealthy', observed: 'running', fastRestarts: [], unhealthySince: 45 * S, failingSince: 15 * S } as const;
    const decision = decideRecovery(config({ ladder: ['drop-publisher'] }), INITIAL_RECOVERY_STATE, input);
    expect(decision.actions[0]?.reason).toBe('unhealthy for 30 s: stream unhealthy');
    expect(decision.state.episode?.startedAt).toBe(45 * S); // detection time stays the threshold's
  });
});

describe('never acts on', () => {
  it.each<[Health, ObservedState, string]>([
    ['degraded', 'running', 'degraded: a warning, no action'],
    ['unknown', 'running', 'health unknown: waiting for a verdict'],
    ['unhealthy', 'backoff', 'process is backoff: the fast layer handles it'],
    ['unhealthy', 'starting', 'process is starting: the fast layer handles it'],
    ['unhealthy', 'stopping', 'process is stopping: the fast layer handles it'],
    ['unhealthy', 'stopped', 'process is stopped: the fast layer handles it'],
  ])('%s while %s', (health, observed, reason) => {
    const { acted, decisions } = simulate(config(), always(health, observed), 0, 600);
    expect(acted).toEqual([]);
    expect(decisions[0]?.[1].reason).toBe(reason);
  });
});

describe('intentional restarts', () => {
  it('suppress judgement for the grace period', () => {
    const cfg = config();
    const noted = noteIntentionalRestart(cfg, INITIAL_RECOVERY_STATE, 0, 'api');
    const { acted, decisions } = simulate(cfg, always('unhealthy'), 0, 40, noted);
    expect(acted).toEqual([[30, 'restart']]);
    expect(decisions[10]?.[1].reason).toBe('judgement suppressed for 20 s after an intentional restart');
  });

  it('api and config reset the ladder; an input switch keeps it', () => {
    const cfg = config();
    const midway = simulate(cfg, always('unhealthy'), 0, 60).state;
    expect(midway.rung).toBe(2);
    expect(noteIntentionalRestart(cfg, midway, 61 * S, 'config')).toMatchObject({ rung: 0, episode: undefined, suppressedUntil: 91 * S });
    expect(noteIntentionalRestart(cfg, midway, 61 * S, 'input-switch')).toMatchObject({ rung: 2, suppressedUntil: 91 * S });
    expect(noteIntentionalRestart(cfg, midway, 61 * S, 'input-switch').episode).toBe(midway.episode);
  });

  it('never shortens a longer suppression', () => {
    const cfg = config();
    const long = noteIntentionalRestart(cfg, INITIAL_RECOVERY_STATE, 100 * S, 'api');
    expect(noteIntentionalRestart(cfg, long, 90 * S, 'api').suppressedUntil).toBe(130 * S);
  });
});

describe('the restart budget shared with the fast layer', () => {
  it('waits while a restart by the fast layer settles', () => {
    const { acted, decisions } = simulate(config(), () => ({ health: 'unhealthy', fastRestarts: [-5] }), 0, 30);
    expect(acted).toEqual([[25, 'restart']]);
    expect(decisions[0]?.[1].reason).toBe('a restart 5 s ago is still settling');
  });

  it('counts the watchdog restart in the same budget: the 5th restart is allowed, the 6th waits for a slow slot', () => {
    const fast = [-200, -150, -100, -50];
    const { acted, decisions } = simulate(config({ ladder: ['restart'] }), () => ({ health: 'unhealthy', fastRestarts: fast }), 0, 120);
    expect(acted).toEqual([
      [0, 'restart'],
      [60, 'restart+notify'],
      [120, 'restart+notify'],
    ]);
    expect(decisions[60]?.[1].actions[0]?.reason).toBe('restart budget spent (5 restarts within 300 s): slow retry; restart did not help within 30 s: out: Connection refused');
    expect(decisions[0]?.[1].state.watchdogRestarts).toEqual([0]);
  });

  it('blocks a restart until the slow-retry time since the last restart of either layer', () => {
    const fast = [-100, -90, -80, -70, -10];
    const { acted, decisions } = simulate(config({ ladder: ['restart'] }), () => ({ health: 'unhealthy', fastRestarts: fast }), 0, 60);
    expect(acted).toEqual([[50, 'restart+notify']]);
    expect(decisions[20]?.[1].reason).toBe('restart budget spent (5 restarts within 300 s): slow retry in 30 s');
  });

  it('does not spend the budget on other rungs', () => {
    const fast = [-250, -200, -150, -100, -90];
    const { acted } = simulate(config({ ladder: ['drop-publisher', 'next-input'] }), () => ({ health: 'unhealthy', fastRestarts: fast }), 0, 60);
    expect(acted).toEqual([
      [0, 'drop-publisher'],
      [60, 'next-input'],
    ]);
  });

  it('a watchdog restart the fast layer has recorded (a counted restart) is not counted twice', () => {
    // The fast layer records each watchdog restart 2 s later, when the old run has exited.
    const fast = [-200, -150, -100];
    const { acted } = simulate(config({ ladder: ['restart'] }), (t) => ({ health: 'unhealthy', fastRestarts: t >= 2 ? [...fast, 2] : fast }), 0, 60);
    // 4 restarts in the window at 60 s (3 earlier + the watchdog's own, once): still in budget.
    expect(acted).toEqual([
      [0, 'restart'],
      [60, 'restart'],
    ]);
  });

  it('forgets watchdog restarts that left the window', () => {
    const state = simulate(config({ ladder: ['restart'] }), always('unhealthy'), 0, 400).state;
    expect(state.watchdogRestarts.every((at) => at > 100 * S)).toBe(true);
  });
});

describe('crashloop: the watchdog takes over', () => {
  it('alerts at once, then restarts with a notice every slowRetryMs after the last restart', () => {
    const { acted, decisions } = simulate(config(), () => ({ health: 'unhealthy', observed: 'crashloop', fastRestarts: [-1] }), 0, 180);
    expect(acted).toEqual([
      [0, 'notify'],
      [59, 'restart+notify'],
      [119, 'restart+notify'],
      [179, 'restart+notify'],
    ]);
    expect(decisions[0]?.[1].actions[0]?.reason).toBe(
      'fast layer in crash loop for 0 s (out: Connection refused): the watchdog takes over; next slow retry in 59 s',
    );
    expect(decisions[30]?.[1].reason).toBe('fast layer in crash loop for 30 s (out: Connection refused): next slow retry in 29 s');
  });

  it('does not retry in the same slot as the fast layer', () => {
    // The fast layer's own crash-loop retries (every ~60 s) keep pushing the watchdog's slot back.
    const world = (t: number): World => ({ health: 'unhealthy', observed: 'crashloop', fastRestarts: [Math.floor(t / 50) * 50] });
    expect(simulate(config(), world, 0, 200).acted).toEqual([[0, 'notify']]);
  });

  it('records the recovery when the stream comes back (the VistterStream scenario)', () => {
    const world = (t: number): World => (t < 70 ? { health: 'unhealthy', observed: 'crashloop', fastRestarts: [-1] } : { health: 'healthy' });
    const { decisions } = simulate(config(), world, 0, 70);
    expect(decisions[70]?.[1].recovered).toMatchObject({ startedAt: 0, recoveredAt: 70 * S });
    expect(decisions[70]?.[1].recovered?.actions.map((a) => a.type)).toEqual(['notify', 'restart', 'notify']);
    expect(decisions[70]?.[1].state.crashloopSince).toBeUndefined();
  });

  it('hands back to the ladder when the fast layer leaves crashloop', () => {
    const world = (t: number): World => (t < 10 ? { health: 'unhealthy', observed: 'crashloop', fastRestarts: [-60] } : { health: 'unhealthy', fastRestarts: [-60] });
    const { acted, state } = simulate(config(), world, 0, 60);
    expect(acted).toEqual([
      [0, 'restart+notify'],
      [60, 'restart'],
    ]);
    expect(state.crashloopSince).toBeUndefined();
  });
});

describe('bookkeeping', () => {
  it('bounds the actions kept in an episode', () => {
    const { state } = simulate(config({ ladder: ['notify'], cooldownMs: 1 * S }), always('unhealthy'), 0, 500);
    expect(state.episode?.actions).toHaveLength(MAX_EPISODE_ACTIONS);
    expect(state.recoveryCount).toBe(0);
  });

  it('counts recoveries and remembers the last fix for the status API', () => {
    const { state } = simulate(config(), always('unhealthy'), 0, 130);
    expect(state).toMatchObject({ recoveryCount: 3, lastFixAt: 120 * S, rung: 3, cycles: 0 });
    expect(simulate(config(), always('unhealthy'), 0, 220).state).toMatchObject({ recoveryCount: 4, rung: 1, cycles: 1 });
  });
});

describe('recoveryConfigFromSpec', () => {
  const spec = {
    onUnhealthy: LADDER,
    startTimeoutMs: 45_000,
    restart: { ...DEFAULT_RESTART_POLICY, backoffMaxMs: 30_000, budget: { restarts: 10, withinMs: 600_000 } },
  } as const satisfies Partial<StreamSpec>;

  it('takes the ladder, budget and slow retry from the spec', () => {
    expect(recoveryConfigFromSpec(spec as unknown as StreamSpec)).toEqual({
      ladder: LADDER,
      cooldownMs: 60_000,
      settleMs: { restart: 45_000, 'drop-publisher': 30_000, 'next-input': 45_000, notify: 0 },
      intentionalGraceMs: 45_000,
      budget: { restarts: 10, withinMs: 600_000 },
      slowRetryMs: 30_000,
    });
    expect(recoveryConfigFromSpec(spec as unknown as StreamSpec, { cooldownMs: 5_000 }).cooldownMs).toBe(5_000);
  });
});
