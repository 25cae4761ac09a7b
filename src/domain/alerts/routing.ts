/**
 * Who hears about what, and when nothing is sent at all: routing (global notifiers plus a
 * stream's own `notify` ids, each with a minimum severity) and maintenance windows.
 */
import { SEVERITY_RANK, type Severity } from './message.js';

export interface NotifierRoute {
  readonly id: string;
  /** Gets every stream's notices (and the daemon's), not only those of streams naming it. */
  readonly global: boolean;
  readonly minSeverity: Severity;
}

/**
 * The notifiers a notice goes to: global ones plus the stream's `notify` ids, minus those whose
 * minimum severity is above the notice's. Unknown ids are ignored (the config validates them).
 */
export function routeNotice(
  routes: readonly NotifierRoute[],
  streamNotify: readonly string[],
  severity: Severity,
): string[] {
  return routes
    .filter((route) => route.global || streamNotify.includes(route.id))
    .filter((route) => SEVERITY_RANK[severity] >= SEVERITY_RANK[route.minSeverity])
    .map((route) => route.id);
}

export interface MaintenanceWindow {
  /** Absent: the whole daemon (every stream and the daemon's own notices). */
  readonly stream?: string;
  /** Ms since the epoch; the window is [start, end). */
  readonly start: number;
  readonly end: number;
}

/** True when a notice about `stream` (or about the daemon when undefined) must not be sent now. */
export function inMaintenance(windows: readonly MaintenanceWindow[], stream: string | undefined, now: number): boolean {
  return windows.some((w) => now >= w.start && now < w.end && (w.stream === undefined || w.stream === stream));
}

/**
 * Windows that name a stream `known` does not have and that are not over yet: most likely a typo
 * in the id (the window would silence nothing), or a stream a controller has not sent yet.
 */
export function windowsForUnknownStreams(windows: readonly MaintenanceWindow[], known: (stream: string) => boolean, now: number): MaintenanceWindow[] {
  return windows.filter((w) => w.stream !== undefined && w.end > now && !known(w.stream));
}
