/**
 * The one decider per stream: turns health into recovery actions, so that the fast layer (the
 * lifecycle's restart on exit / stall) and the watchdog never both restart the same stream.
 *
 *   unhealthy while running, not suppressed
 *        │
 *        ▼                 settle elapsed,             settle elapsed,
 *   rung 1: restart ─────▶ still unhealthy, ─────────▶ still unhealthy, ─────▶ … rung n
 *        ▲                 cooldown over:              cooldown over:              │
 *        │                 rung 2: drop-publisher      rung 3: next-input           │ cooldown over:
 *        │                                                                          │ start over
 *        └──────────────────────────────────────────────────────────────────────────┘ (never a dead end)
 *   healthy at any point (checks passed M times): ladder back to rung 1, episode closed and returned
 *
 *   fast layer in crashloop: the ladder pauses; restart + notify every `slowRetryMs` (the backoff
 *   cap) counted from the last restart by either layer, so the two never retry in the same slot.
 *
 * Gates, in the order they are applied on each call:
 * 1. healthy → reset the ladder, close the episode (its actions → a recovery record);
 * 2. inside the grace after an intentional restart (API, config change, input switch) → nothing;
 * 3. fast layer in crashloop → slow retry (above), alerting every time;
 * 4. degraded (a warning, never a restart) or unknown (no verdict yet) → nothing;
 * 5. process not running (starting, backoff, stopping) → nothing: the fast layer owns that;
 * 6. the last fix, or a restart by either layer, still inside its settle time → wait;
 * 7. the next rung: `notify` rungs go out at once (a notice is not a fix and takes no turn); a fix
 *    waits for the cooldown since the last fix; `restart` also needs a slot in the restart budget
 *    shared with the fast layer — once spent, it runs only every `slowRetryMs`, with a notify.
 *
 * Pure: time, health and the fast layer's restarts come in; actions and the next state go out.
 */
import type { RecoveryAction } from '../stream-spec.js';
import {
  MAX_EPISODE_ACTIONS,
  type Episode,
  type IntentionalRestart,
  type RecoveryDecision,
  type RecoveryInput,
  type RecoveryPolicyConfig,
  type RecoveryState,
  type WatchdogAction,
} from './recovery-types.js';

export * from './recovery-types.js';

export function decideRecovery(config: RecoveryPolicyConfig, state: RecoveryState, input: RecoveryInput): RecoveryDecision {
  const { now, health, observed } = input;
  if (health === 'healthy') return onHealthy(state, now);
  if (state.suppressedUntil !== undefined && now < state.suppressedUntil) {
    return none(state, `judgement suppressed for ${secs(state.suppressedUntil - now)} s after an intentional restart`);
  }
  if (observed === 'crashloop') return crashloopStep(config, state, input);
  const settled: RecoveryState = state.crashloopSince === undefined ? state : { ...state, crashloopSince: undefined };
  if (health === 'degraded') return none(settled, 'degraded: a warning, no action');
  if (health === 'unknown') return none(settled, 'health unknown: waiting for a verdict');
  if (observed !== 'running') return none(settled, `process is ${observed}: the fast layer handles it`);
  return ladderStep(config, settled, input);
}

/** Records an intentional restart: no judgement for the grace period. */
export function noteIntentionalRestart(config: RecoveryPolicyConfig, state: RecoveryState, now: number, kind: IntentionalRestart): RecoveryState {
  const suppressedUntil = Math.max(state.suppressedUntil ?? now, now + config.intentionalGraceMs);
  if (kind === 'input-switch') return { ...state, suppressedUntil };
  return { ...state, suppressedUntil, rung: 0, cycles: 0, episode: undefined, crashloopSince: undefined };
}

function onHealthy(state: RecoveryState, now: number): RecoveryDecision {
  const episode = state.episode;
  const next: RecoveryState = { ...state, rung: 0, cycles: 0, episode: undefined, crashloopSince: undefined, lastHealthyAt: now };
  if (episode === undefined || episode.actions.length === 0) return none(next, 'healthy');
  return {
    actions: [],
    reason: `healthy again after ${secs(now - episode.startedAt)} s: recovery ladder reset`,
    state: next,
    recovered: { ...episode, recoveredAt: now },
  };
}

function crashloopStep(config: RecoveryPolicyConfig, state: RecoveryState, input: RecoveryInput): RecoveryDecision {
  const { now } = input;
  const since = state.crashloopSince ?? now;
  const marked: RecoveryState = { ...state, crashloopSince: since, episode: state.episode ?? { startedAt: now, actions: [] } };
  const lastRestart = latestRestart(state, input.fastRestarts);
  const what = `fast layer in crash loop for ${secs(now - since)} s${input.summary === undefined ? '' : ` (${input.summary})`}`;
  if (lastRestart === undefined || now >= lastRestart + config.slowRetryMs) {
    const reason = `${what}: slow retry every ${secs(config.slowRetryMs)} s`;
    return act(config, marked, [{ type: 'restart', reason }, { type: 'notify', reason }], marked.rung, now);
  }
  const wait = `next slow retry in ${secs(lastRestart + config.slowRetryMs - now)} s`;
  if (state.crashloopSince === undefined) {
    return act(config, marked, [{ type: 'notify', reason: `${what}: the watchdog takes over; ${wait}` }], marked.rung, now);
  }
  return none(marked, `${what}: ${wait}`);
}

function ladderStep(config: RecoveryPolicyConfig, state: RecoveryState, input: RecoveryInput): RecoveryDecision {
  const { now } = input;
  const episode: Episode = state.episode ?? { startedAt: input.unhealthySince ?? now, actions: [] };
  const current: RecoveryState = { ...state, episode };
  const lastFix = [...episode.actions].reverse().find((action) => action.type !== 'notify');
  if (lastFix !== undefined && now < lastFix.at + config.settleMs[lastFix.type]) {
    return none(current, `waiting ${secs(lastFix.at + config.settleMs[lastFix.type] - now)} s more for ${lastFix.type} to settle`);
  }
  const lastRestart = latestRestart(state, input.fastRestarts);
  if (lastRestart !== undefined && now < lastRestart + config.settleMs.restart) {
    return none(current, `a restart ${secs(now - lastRestart)} s ago is still settling`);
  }
  const { ladder } = config;
  if (ladder.length === 0) return none(current, 'unhealthy, but no recovery actions are configured (onUnhealthy is empty)');

  let rung = current.rung;
  let cycles = current.cycles;
  if (rung >= ladder.length) {
    const lastAt = episode.actions.at(-1)?.at;
    if (lastAt !== undefined && now < lastAt + config.cooldownMs) {
      return none(current, `every recovery action tried; starting over in ${secs(lastAt + config.cooldownMs - now)} s`);
    }
    rung = 0;
    cycles += 1;
  }
  const why = reasonFor(config, episode, input, lastFix);
  const actions: WatchdogAction[] = [];
  while (ladder[rung] === 'notify') {
    actions.push({ type: 'notify', reason: why });
    rung += 1;
  }
  const fix = ladder[rung];
  if (fix !== undefined) {
    const gate = fixGate(config, current, input, fix);
    if (gate.blocked !== undefined) {
      if (actions.length === 0) return none({ ...current, rung, cycles }, gate.blocked);
    } else {
      actions.push({ type: fix, reason: gate.slow ? `${gate.slowReason}; ${why}` : why });
      if (gate.slow && !actions.some((action) => action.type === 'notify')) actions.push({ type: 'notify', reason: `${gate.slowReason}; ${why}` });
      rung += 1;
    }
  }
  return act(config, { ...current, cycles }, actions, rung, now);
}

type Gate = { readonly blocked: string; readonly slow?: undefined } | { readonly blocked?: undefined; readonly slow: boolean; readonly slowReason: string };

/** Whether a fix may run now: the cooldown, and for a restart the shared budget. */
function fixGate(config: RecoveryPolicyConfig, state: RecoveryState, input: RecoveryInput, fix: RecoveryAction): Gate {
  const { now } = input;
  if (state.lastFixAt !== undefined && now < state.lastFixAt + config.cooldownMs) {
    return { blocked: `cooldown: last recovery ${secs(now - state.lastFixAt)} s ago, ${secs(config.cooldownMs)} s between recoveries; next: ${fix}` };
  }
  if (fix !== 'restart') return { slow: false, slowReason: '' };
  const windowStart = now - config.budget.withinMs;
  const inWindow = [...input.fastRestarts, ...unrecordedRestarts(state, input.fastRestarts)].filter((at) => at > windowStart).length;
  if (inWindow < config.budget.restarts) return { slow: false, slowReason: '' };
  const spent = `restart budget spent (${inWindow} restarts within ${secs(config.budget.withinMs)} s)`;
  const lastRestart = latestRestart(state, input.fastRestarts);
  if (lastRestart !== undefined && now < lastRestart + config.slowRetryMs) {
    return { blocked: `${spent}: slow retry in ${secs(lastRestart + config.slowRetryMs - now)} s` };
  }
  return { slow: true, slowReason: `${spent}: slow retry` };
}

function reasonFor(config: RecoveryPolicyConfig, episode: Episode, input: RecoveryInput, lastFix: { readonly type: RecoveryAction } | undefined): string {
  const what = input.summary ?? 'stream unhealthy';
  if (lastFix === undefined) return `unhealthy for ${secs(input.now - (input.failingSince ?? input.unhealthySince ?? episode.startedAt))} s: ${what}`;
  return `${lastFix.type} did not help within ${secs(config.settleMs[lastFix.type])} s: ${what}`;
}

function act(config: RecoveryPolicyConfig, state: RecoveryState, actions: readonly WatchdogAction[], rung: number, now: number): RecoveryDecision {
  const fixes = actions.filter((action) => action.type !== 'notify');
  const restarted = fixes.some((action) => action.type === 'restart');
  const windowStart = now - config.budget.withinMs;
  const episode = state.episode ?? { startedAt: now, actions: [] };
  const next: RecoveryState = {
    ...state,
    rung,
    episode: { ...episode, actions: [...episode.actions, ...actions.map((action) => ({ ...action, at: now }))].slice(-MAX_EPISODE_ACTIONS) },
    lastFixAt: fixes.length > 0 ? now : state.lastFixAt,
    watchdogRestarts: [...state.watchdogRestarts.filter((at) => at > windowStart), ...(restarted ? [now] : [])],
    recoveryCount: state.recoveryCount + (fixes.length > 0 ? 1 : 0),
  };
  return { actions, reason: actions.map((action) => `${action.type}: ${action.reason}`).join('; '), state: next };
}

function none(state: RecoveryState, reason: string): RecoveryDecision {
  return { actions: [], reason, state };
}

/**
 * The watchdog's restarts that the fast layer's history does not hold yet. A watchdog restart is
 * a counted restart (`restart('recovery')`): the fast layer records it once the old run has
 * exited, so it would count twice; only those newer than the fast layer's latest are added.
 */
function unrecordedRestarts(state: RecoveryState, fastRestarts: readonly number[]): readonly number[] {
  const latestFast = fastRestarts.length === 0 ? -Infinity : Math.max(...fastRestarts);
  return state.watchdogRestarts.filter((at) => at > latestFast);
}

function latestRestart(state: RecoveryState, fastRestarts: readonly number[]): number | undefined {
  const all = [...fastRestarts, ...state.watchdogRestarts];
  return all.length === 0 ? undefined : Math.max(...all);
}

const secs = (ms: number): number => Math.max(0, Math.round(ms / 1_000));
