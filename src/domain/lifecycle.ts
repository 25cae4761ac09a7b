/**
 * The lifecycle of one supervised stream, as a pure state machine.
 *
 *                  start                     first advancing progress
 *   ┌─────────┐ ─────────────▶ ┌──────────┐ ───────────────────────▶ ┌─────────┐
 *   │ stopped │                │ starting │                          │ running │
 *   └─────────┘ ◀──┐           └──────────┘ ◀──────┐                 └─────────┘
 *        ▲         │ stop         │  │  exit /      │ backoff elapsed    │  │ exit
 *        │ exit    │              │  │  start-timeout (kill)             │  │ stall (kill)
 *        │ (stop)  │              ▼  ▼              │                    ▼  ▼
 *   ┌──────────┐   │     ┌─────────────────────┐    │    restart policy decides:
 *   │ stopping │   └──── │ backoff / crashloop │ ◀──┴─── immediate → starting,
 *   └──────────┘         └─────────────────────┘         delay → backoff, budget spent → crashloop
 *
 * `desired` (what the user asked for) is kept apart from `observed` (what is true now): failures
 * never change `desired`. The machine returns effects (spawn, signal, timers, a finished run);
 * the supervisor performs them. Every legal (state, event) pair and the states it may lead to
 * are listed in TRANSITIONS; anything else throws IllegalTransitionError.
 */
import { IllegalTransitionError } from './errors.js';
import type {
  Effect,
  ExitReason,
  KillReason,
  LifecycleConfig,
  LifecycleEvent,
  LifecycleEventType,
  LifecycleState,
  ObservedState,
  ProcessEnd,
  RunEnded,
  StopSignal,
  TimerName,
  TransitionContext,
  TransitionResult,
} from './lifecycle-types.js';
import { crashloopRetryDelay, decideRestart, EMPTY_RESTART_HISTORY } from './restart-policy.js';
import { decideCountedRestart } from './uncured-restarts.js';

// The vocabulary lives in lifecycle-types.ts; importers of the machine keep finding it here.
export * from './lifecycle-types.js';

/** Every legal (state, event) pair, with the observed states it can lead to. */
export const TRANSITIONS: {
  readonly [S in ObservedState]: Partial<Readonly<Record<LifecycleEventType, readonly ObservedState[]>>>;
} = {
  stopped: {
    start: ['starting'],
    stop: ['stopped'],
    restart: ['starting'],
    adopted: ['running'],
  },
  starting: {
    start: ['starting'],
    stop: ['stopping'],
    restart: ['stopping'],
    progress: ['running'],
    'start-timeout': ['stopping'],
    exited: ['starting', 'backoff', 'crashloop'],
  },
  running: {
    start: ['running'],
    stop: ['stopping'],
    restart: ['stopping'],
    progress: ['running'],
    'stall-timeout': ['stopping'],
    exited: ['starting', 'backoff', 'crashloop'],
  },
  backoff: {
    start: ['backoff'],
    stop: ['stopped'],
    restart: ['starting'],
    'backoff-elapsed': ['starting'],
  },
  crashloop: {
    start: ['crashloop'],
    stop: ['stopped'],
    restart: ['starting'],
    'backoff-elapsed': ['starting'],
  },
  stopping: {
    start: ['stopping'],
    stop: ['stopping'],
    restart: ['stopping'],
    progress: ['stopping'],
    'kill-escalate': ['stopping'],
    exited: ['stopped', 'starting', 'backoff', 'crashloop'],
  },
};

export function initialLifecycleState(): LifecycleState {
  return { desired: 'stopped', observed: 'stopped', signalsSent: 0, madeProgress: false, restart: EMPTY_RESTART_HISTORY };
}

export function isLegal(state: ObservedState, event: LifecycleEventType): boolean {
  return TRANSITIONS[state][event] !== undefined;
}

export function transition(
  state: LifecycleState,
  event: LifecycleEvent,
  config: LifecycleConfig,
  context: TransitionContext,
): TransitionResult {
  const allowed = TRANSITIONS[state.observed][event.type];
  if (!allowed) throw new IllegalTransitionError(state.observed, event.type);
  const result = step(state, event, config, context);
  if (!allowed.includes(result.state.observed)) {
    // A bug in `step`, not bad input: the table and the code disagree.
    throw new IllegalTransitionError(state.observed, `${event.type} → ${result.state.observed}`);
  }
  return result;
}

const ALL_TIMERS: readonly TimerName[] = ['start', 'stall', 'backoff', 'kill'];
const clearAll = (): Effect[] => ALL_TIMERS.map((timer) => ({ type: 'clear-timer', timer }));

function spawnRun(state: LifecycleState, config: LifecycleConfig): TransitionResult {
  return {
    state: { ...state, desired: 'running', observed: 'starting', signalsSent: 0, madeProgress: false, runningSince: undefined, killReason: undefined },
    effects: [
      { type: 'clear-timer', timer: 'backoff' },
      { type: 'spawn' },
      { type: 'set-timer', timer: 'start', ms: config.startTimeoutMs },
    ],
  };
}

/** Graceful stop: SIGINT lets ffmpeg finish its muxer; escalation follows on the kill timer. */
function beginStop(state: LifecycleState, config: LifecycleConfig, reason: KillReason): TransitionResult {
  return {
    state: { ...state, observed: 'stopping', killReason: reason, signalsSent: 1 },
    effects: [
      { type: 'clear-timer', timer: 'start' },
      { type: 'clear-timer', timer: 'stall' },
      { type: 'signal', signal: 'SIGINT' },
      { type: 'set-timer', timer: 'kill', ms: config.stop.interruptGraceMs },
    ],
  };
}

/** A stalled or stuck process gets SIGKILL at once: the output is already dead, and it may be SIGSTOPped. */
function killNow(state: LifecycleState, reason: KillReason): TransitionResult {
  return {
    state: { ...state, observed: 'stopping', killReason: reason, signalsSent: 3 },
    effects: [
      { type: 'clear-timer', timer: 'start' },
      { type: 'clear-timer', timer: 'stall' },
      { type: 'signal', signal: 'SIGKILL' },
    ],
  };
}

function classifyUnplanned(state: LifecycleState, end: ProcessEnd): ExitReason {
  if (end.spawnError || !state.madeProgress) return 'failed-to-start';
  if (end.signal !== null) return 'killed';
  return 'exited';
}

/** After a failure: ask the restart policy, then spawn now, wait in backoff, or wait in crashloop. */
function recover(
  state: LifecycleState,
  reason: ExitReason,
  end: ProcessEnd,
  config: LifecycleConfig,
  context: TransitionContext,
  counted = false,
): TransitionResult {
  const decision = (counted ? decideCountedRestart : decideRestart)(config.restart, state.restart, {
    now: context.now,
    runningSince: state.runningSince,
    random: context.random,
  });
  const base: LifecycleState = { ...state, restart: decision.history, killReason: undefined, signalsSent: 0 };
  if (decision.delayMs === 0 && !decision.crashloop) {
    const spawned = spawnRun(base, config);
    const run: RunEnded = { reason, end, next: 'starting', restartDelayMs: 0, restartsInWindow: decision.restartsInWindow, countsAsRestart: true };
    return { state: spawned.state, effects: [...clearAll(), { type: 'run-ended', run }, ...spawned.effects] };
  }
  const next: ObservedState = decision.crashloop ? 'crashloop' : 'backoff';
  const run: RunEnded = { reason, end, next, restartDelayMs: decision.delayMs, restartsInWindow: decision.restartsInWindow, countsAsRestart: true };
  // The run reports the policy's delay; the timer may be the later backstop (restart-policy.ts).
  const retryMs = decision.crashloop ? crashloopRetryDelay(decision.delayMs, context.crashloopDelegated === true) : decision.delayMs;
  return {
    state: { ...base, observed: next, runningSince: undefined, madeProgress: false },
    effects: [...clearAll(), { type: 'run-ended', run }, { type: 'set-timer', timer: 'backoff', ms: retryMs }],
  };
}

function step(
  state: LifecycleState,
  event: LifecycleEvent,
  config: LifecycleConfig,
  context: TransitionContext,
): TransitionResult {
  const unchanged: TransitionResult = { state, effects: [] };
  switch (state.observed) {
    case 'stopped':
      if (event.type === 'stop') return { state: { ...state, desired: 'stopped' }, effects: [] };
      if (event.type === 'adopted') {
        return {
          state: {
            ...state,
            desired: 'running',
            observed: 'running',
            signalsSent: 0,
            madeProgress: true,
            runningSince: event.since,
            killReason: undefined,
            restart: EMPTY_RESTART_HISTORY,
          },
          effects: [
            { type: 'clear-timer', timer: 'backoff' },
            { type: 'set-timer', timer: 'stall', ms: config.stallTimeoutMs },
          ],
        };
      }
      // start, or restart of a stopped stream: both start it.
      return spawnRun({ ...state, restart: EMPTY_RESTART_HISTORY }, config);

    case 'starting':
    case 'running':
      switch (event.type) {
        case 'start':
          return { state: { ...state, desired: 'running' }, effects: [] };
        case 'stop':
          return beginStop({ ...state, desired: 'stopped' }, config, 'stopped');
        case 'restart':
          return beginStop({ ...state, desired: 'running' }, config, event.counted === true ? 'recovery' : 'restarted');
        case 'progress':
          if (state.observed === 'starting') {
            return {
              state: { ...state, observed: 'running', madeProgress: true, runningSince: context.now },
              effects: [
                { type: 'clear-timer', timer: 'start' },
                { type: 'set-timer', timer: 'stall', ms: config.stallTimeoutMs },
              ],
            };
          }
          return { state, effects: [{ type: 'set-timer', timer: 'stall', ms: config.stallTimeoutMs }] };
        case 'start-timeout':
          return killNow(state, 'start-timeout');
        case 'stall-timeout':
          return killNow(state, 'stalled');
        case 'exited':
          return recover(state, classifyUnplanned(state, event.end), event.end, config, context);
        default:
          return unchanged;
      }

    case 'backoff':
    case 'crashloop':
      switch (event.type) {
        case 'stop':
          return { state: { ...state, desired: 'stopped', observed: 'stopped' }, effects: [{ type: 'clear-timer', timer: 'backoff' }] };
        case 'restart':
        case 'backoff-elapsed':
          return spawnRun(state, config);
        default:
          return unchanged; // start: already wanted running, the timer will spawn it
      }

    case 'stopping':
      switch (event.type) {
        case 'start':
        case 'restart':
          return { state: { ...state, desired: 'running' }, effects: [] };
        case 'stop':
          return { state: { ...state, desired: 'stopped' }, effects: [] };
        case 'progress':
          return unchanged; // a process finishing its muxer may still report
        case 'kill-escalate': {
          if (state.signalsSent >= 3) return unchanged;
          const signal: StopSignal = state.signalsSent === 1 ? 'SIGTERM' : 'SIGKILL';
          const effects: Effect[] = [{ type: 'signal', signal }];
          if (signal === 'SIGTERM') effects.push({ type: 'set-timer', timer: 'kill', ms: config.stop.terminateGraceMs });
          return { state: { ...state, signalsSent: state.signalsSent + 1 }, effects };
        }
        case 'exited':
          return afterStop(state, event.end, config, context);
        default:
          return unchanged;
      }
  }
}

/** The process we were stopping has exited: settle according to why we stopped it and what is wanted now. */
function afterStop(
  state: LifecycleState,
  end: ProcessEnd,
  config: LifecycleConfig,
  context: TransitionContext,
): TransitionResult {
  const killReason = state.killReason ?? 'stopped';
  if (killReason === 'stalled' || killReason === 'start-timeout') {
    if (state.desired === 'running') return recover(state, killReason, end, config, context);
  }
  // A counted restart ends as `restarted`, but the restart policy decides what follows.
  if (killReason === 'recovery' && state.desired === 'running') return recover(state, 'restarted', end, config, context, true);
  const reason: ExitReason = killReason === 'recovery' ? 'restarted' : killReason;
  if (state.desired === 'stopped') {
    const run: RunEnded = { reason, end, next: 'stopped', countsAsRestart: false };
    return {
      state: { ...state, observed: 'stopped', killReason: undefined, signalsSent: 0, runningSince: undefined, madeProgress: false },
      effects: [...clearAll(), { type: 'run-ended', run }],
    };
  }
  // Asked to restart (or to start again while stopping): immediately, outside the restart budget.
  const run: RunEnded = { reason, end, next: 'starting', restartDelayMs: 0, countsAsRestart: false };
  const spawned = spawnRun(state, config);
  return { state: spawned.state, effects: [...clearAll(), { type: 'run-ended', run }, ...spawned.effects] };
}
