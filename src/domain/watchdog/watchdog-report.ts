/**
 * The health report of one stream as its watchdog sees it: which checks count, then
 * deriveStreamHealth. Two readings of the same checks:
 * - the stream's health (what the supervisor publishes): every check as configured;
 * - the decider's (`forDecider`): the progress check's stall verdict is left to the fast layer,
 *   which acts on stalls itself.
 * In both, checks of standby inputs (not the one running) never count.
 */
import type { ObservedState } from '../lifecycle.js';
import type { CheckState } from './check-state.js';
import type { DegradationBreach } from './degradation.js';
import { deriveStreamHealth, type StreamHealthReport } from './stream-health.js';

export interface WatchedCheck {
  readonly state: CheckState;
  /** The input (index) whose URL this check probes, when it probes one. */
  readonly inputIndex?: number;
}

export interface WatchdogReportInput {
  readonly observed: ObservedState;
  readonly checks: readonly WatchedCheck[];
  readonly progress: CheckState;
  /** The progress check's breached degradation rules. */
  readonly breaches: readonly DegradationBreach[];
  readonly activeInput: number;
  /** The stream has fallback inputs (an input watch): checks of the others are standby checks. */
  readonly hasFallbacks: boolean;
  readonly forDecider: boolean;
}

const informational = (state: CheckState): CheckState => ({ ...state, config: { ...state.config, informational: true } });

export function deriveWatchdogReport(input: WatchdogReportInput): StreamHealthReport {
  const { observed, progress, activeInput, hasFallbacks, forDecider } = input;
  const standby = (check: WatchedCheck): boolean => check.inputIndex !== undefined && check.inputIndex !== activeInput && hasFallbacks;
  const checks = input.checks.map((check) => (standby(check) ? informational(check.state) : check.state));
  checks.unshift(forDecider ? informational(progress) : progress);
  const degradation = progress.config.informational ? [] : input.breaches;
  return deriveStreamHealth({ observed, checks, degradation });
}
