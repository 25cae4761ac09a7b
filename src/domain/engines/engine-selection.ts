/**
 * Which engine gets the next stream: the least recently used healthy engine with a free slot
 * (DESIGN.md §2). Pure; the registry applies the choice in the same tick, so two callers never
 * see the same free slot.
 *
 * Order: engines never used first, then the oldest `lastStreamUsage`, then fewer streams, then id
 * (a stable order makes the choice reproducible). Only `healthy` engines qualify: `degraded`,
 * `unhealthy` and `unknown` are never handed out.
 */
import type { EngineHealthStatus } from './engine-health.js';
import { matchesLabels } from './engine-spec.js';

export interface SelectableEngine {
  readonly id: string;
  readonly status: EngineHealthStatus;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: number;
  /** Streams on it now. */
  readonly streams: number;
  readonly lastStreamUsage?: number;
}

/** Why nothing was chosen; a fixed list (it may become a label). */
export type NoEngineReason = 'no-engines' | 'no-label-match' | 'none-healthy' | 'all-full';

export type Selection =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly reason: NoEngineReason; readonly message: string; readonly counts: SelectionCounts };

export interface SelectionCounts {
  readonly total: number;
  readonly matching: number;
  readonly healthy: number;
}

export function selectEngine(engines: Iterable<SelectableEngine>, selector?: Readonly<Record<string, string>>): Selection {
  let total = 0;
  let matching = 0;
  let healthy = 0;
  let best: SelectableEngine | undefined;
  for (const engine of engines) {
    total += 1;
    if (!matchesLabels(engine.labels, selector)) continue;
    matching += 1;
    if (engine.status !== 'healthy') continue;
    healthy += 1;
    if (engine.streams >= engine.capacity) continue;
    if (best === undefined || before(engine, best)) best = engine;
  }
  if (best !== undefined) return { ok: true, id: best.id };
  const counts = { total, matching, healthy };
  if (total === 0) return { ok: false, reason: 'no-engines', message: 'the pool has no engines', counts };
  if (matching === 0) return { ok: false, reason: 'no-label-match', message: `none of the ${total} engines matches the labels ${describe(selector)}`, counts };
  if (healthy === 0) return { ok: false, reason: 'none-healthy', message: `none of the ${matching} matching engines is healthy`, counts };
  return { ok: false, reason: 'all-full', message: `all ${healthy} healthy matching engines are at capacity`, counts };
}

/** True when `a` should be chosen before `b`. */
function before(a: SelectableEngine, b: SelectableEngine): boolean {
  const ua = a.lastStreamUsage ?? Number.NEGATIVE_INFINITY;
  const ub = b.lastStreamUsage ?? Number.NEGATIVE_INFINITY;
  if (ua !== ub) return ua < ub;
  if (a.streams !== b.streams) return a.streams < b.streams;
  return a.id < b.id;
}

function describe(selector: Readonly<Record<string, string>> | undefined): string {
  return JSON.stringify(selector ?? {});
}
