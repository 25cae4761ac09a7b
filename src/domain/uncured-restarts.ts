/**
 * The restart policy for a counted restart: the watchdog restarts a stream that runs but is
 * unhealthy. Such restarts come at the watchdog's pace (its cooldown and settle times, a minute
 * or more apart), so a budget window alone (5 within 5 min) may never be filled by them, and a
 * fault a restart cannot cure (a frozen source) would be restarted forever. So a counted restart
 * is also judged by the failures since the stream last stayed up for `resetAfter`
 * (`consecutiveFailures`): once those exceed the budget's `restarts`, it is the crash-loop regime —
 * `crashloop`, the critical alert, retries at the backoff cap — however far apart they came.
 *
 * Pure: as decideRestart.
 */
import { applyJitter, decideRestart, type RestartContext, type RestartDecision, type RestartHistory } from './restart-policy.js';
import type { RestartPolicy } from './stream-spec.js';

export function decideCountedRestart(policy: RestartPolicy, history: RestartHistory, context: RestartContext): RestartDecision {
  const decision = decideRestart(policy, history, context);
  // As the budget window: N uncured restarts are allowed, the failure after them is a crash loop.
  if (decision.crashloop || decision.history.consecutiveFailures <= policy.budget.restarts) return decision;
  return { ...decision, crashloop: true, delayMs: applyJitter(policy.backoffMaxMs, policy.jitter, context.random) };
}
