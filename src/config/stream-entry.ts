/**
 * A stream's spec in the shape of a configuration file's stream entry (DESIGN.md §4.2): what
 * `GET /api/v1/streams/:id` shows as `spec` (redacted) and what POST / PUT accept. Durations are
 * written back as duration strings and every default is spelled out, so that parsing the entry
 * gives the same spec again and a client can GET, edit and PUT it back.
 *
 * Secrets are write-only. The shown entry has stream keys, credentials and the values of
 * credential options masked as `***`. A PUT that sends such a masked value back keeps the stored
 * secret: a string containing `***` is replaced by the stored value it is the masked form of,
 * found at the same path, or else as the only stored value of the same field (e.g. `args`) with
 * that masked form. A masked string that matches nothing, or more than one different secret, is
 * refused with its path (400): it is never stored, and nothing else is guessed. A masked value
 * cannot be moved to another field, so a client cannot send a secret somewhere new without
 * knowing it.
 */
import { MASK, redactArgs, type Redactor } from '../domain/redact.js';
import type { ProgressDegradedSettings } from '../domain/check-settings.js';
import type { CheckSpec, DesiredState, StreamSpec } from '../domain/stream-spec.js';
import type { Issue, PathSegment } from './issues.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type StreamEntry = { [key: string]: JsonValue };

/** Milliseconds → the largest exact unit ("30s", "10m", "1500ms"). */
export function exactDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

function degradedEntry(d: ProgressDegradedSettings): StreamEntry {
  const rule = (fields: Readonly<Record<string, number | undefined>>): StreamEntry => {
    const out: StreamEntry = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      out[key] = key === 'for' || key === 'learn' ? exactDuration(value) : value;
    }
    return out;
  };
  const entry: StreamEntry = {};
  if (d.speed !== undefined) entry.speed = rule({ min: d.speed.min, for: d.speed.forMs });
  if (d.bitrate !== undefined) entry.bitrate = rule({ minRatio: d.bitrate.minRatio, for: d.bitrate.forMs, learn: d.bitrate.learnMs });
  if (d.fps !== undefined) entry.fps = rule({ minRatio: d.fps.minRatio, for: d.fps.forMs, source: d.fps.sourceFps, learn: d.fps.learnMs });
  if (d.warmupMs !== undefined) entry.warmup = exactDuration(d.warmupMs);
  return entry;
}

function checkEntry(check: CheckSpec): StreamEntry {
  const entry: StreamEntry = {
    type: check.type,
    name: check.name,
    interval: exactDuration(check.intervalMs),
    timeout: exactDuration(check.timeoutMs),
    informational: check.informational,
    successThreshold: check.successThreshold,
  };
  if (check.unhealthyAfterMs !== undefined) entry.unhealthyAfter = exactDuration(check.unhealthyAfterMs);
  if (check.failureThreshold !== undefined) entry.failureThreshold = check.failureThreshold;
  switch (check.type) {
    case 'process': {
      const s = check.settings;
      if (s.maxCpuPercent !== undefined) entry.maxCpuPercent = s.maxCpuPercent;
      if (s.maxRssBytes !== undefined) entry.maxRss = s.maxRssBytes;
      entry.for = exactDuration(s.forMs);
      break;
    }
    case 'ffprobe': {
      const s = check.settings;
      entry.url = s.url;
      const expect: StreamEntry = {};
      if (s.expect.video !== undefined) expect.video = s.expect.video;
      if (s.expect.audio !== undefined) expect.audio = s.expect.audio;
      entry.expect = expect;
      break;
    }
    case 'http': {
      const s = check.settings;
      entry.url = s.url;
      entry.status = s.status;
      entry.conditions = [...s.conditions];
      break;
    }
    case 'rtmp-server': {
      const s = check.settings;
      if (s.minBitrateKbps !== undefined) entry.minBitrateKbps = s.minBitrateKbps;
      break;
    }
    case 'content': {
      const s = check.settings;
      entry.duration = exactDuration(s.durationMs);
      entry.black = s.black;
      entry.freeze = s.freeze;
      entry.silence = s.silence;
      break;
    }
    case 'progress': {
      const d = check.settings.degraded;
      if (d !== undefined) entry.degraded = degradedEntry(d);
      break;
    }
  }
  return entry;
}

/** The spec as a stream entry, unredacted. `desired` overrides the spec's (the current intent). */
export function toStreamEntry(spec: StreamSpec, desired: DesiredState = spec.desired): StreamEntry {
  const source: StreamEntry =
    spec.source.kind === 'args'
      ? { args: [...spec.source.args] }
      : {
          inputs: spec.source.inputs.map((input) => (input.options.length === 0 ? input.url : { url: input.url, options: [...input.options] })),
          output: spec.source.output,
          encode: [...spec.source.encode],
        };
  const r = spec.restart;
  return {
    id: spec.id,
    name: spec.name,
    desired,
    ...source,
    ...(spec.rtmpServer !== undefined && { rtmpServer: spec.rtmpServer }),
    notify: [...spec.notify],
    startTimeout: exactDuration(spec.startTimeoutMs),
    stallTimeout: exactDuration(spec.stallTimeoutMs),
    restart: {
      backoffInitial: exactDuration(r.backoffInitialMs),
      backoffMax: exactDuration(r.backoffMaxMs),
      multiplier: r.backoffMultiplier,
      jitter: r.jitter,
      resetAfter: exactDuration(r.resetAfterMs),
      budget: { restarts: r.budget.restarts, within: exactDuration(r.budget.withinMs) },
    },
    stop: { interruptGrace: exactDuration(spec.stop.interruptGraceMs), terminateGrace: exactDuration(spec.stop.terminateGraceMs) },
    checks: spec.checks.map(checkEntry),
    onUnhealthy: [...spec.onUnhealthy],
    ...(spec.failover !== undefined && {
      failover: {
        mode: spec.failover.mode,
        returnAfter: exactDuration(spec.failover.returnAfterMs),
        probeInterval: exactDuration(spec.failover.probeIntervalMs),
        probeTimeout: exactDuration(spec.failover.probeTimeoutMs),
      },
    }),
    ...(spec.dropPublisher !== undefined && { dropPublisher: { target: spec.dropPublisher.target } }),
    ...(spec.engine !== undefined && { engine: { labels: { ...spec.engine.labels } } }),
  };
}

/** Lists of ffmpeg arguments: a credential option's value is masked whole (see redactArgs). */
const ARGUMENT_LISTS: ReadonlySet<string> = new Set(['args', 'encode', 'options']);

/** Every string through the redactor; argument lists through redactArgs. */
export function redactEntry<T extends JsonValue>(value: T, redact: Redactor, key?: string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    if (key !== undefined && ARGUMENT_LISTS.has(key) && value.every((item) => typeof item === 'string')) {
      return redactArgs(value, redact) as T;
    }
    return value.map((item) => redactEntry(item, redact)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactEntry(v, redact, k);
    return out as T;
  }
  return value;
}

type Path = PathSegment[];

interface Leaf {
  readonly path: string;
  /** The path without list indices, e.g. `inputs.url`: where a masked value may be restored from. */
  readonly field: string;
  readonly plain: string;
  readonly shown: string;
}

const pathKey = (path: readonly PathSegment[]): string => JSON.stringify(path);
const fieldKey = (path: readonly PathSegment[]): string => path.filter((s) => typeof s === 'string').join('.');

/** Pairs every string of the stored entry with its shown (masked) form. */
function leaves(plain: JsonValue, shown: JsonValue, path: Path, out: Leaf[]): Leaf[] {
  if (typeof plain === 'string' && typeof shown === 'string') {
    out.push({ path: pathKey(path), field: fieldKey(path), plain, shown });
  } else if (Array.isArray(plain) && Array.isArray(shown)) {
    plain.forEach((item, i) => leaves(item, shown[i] ?? null, [...path, i], out));
  } else if (typeof plain === 'object' && plain !== null && typeof shown === 'object' && shown !== null && !Array.isArray(shown) && !Array.isArray(plain)) {
    for (const [k, v] of Object.entries(plain)) leaves(v, shown[k] ?? null, [...path, k], out);
  }
  return out;
}

export interface RestoreResult {
  readonly value: unknown;
  readonly issues: readonly Issue[];
}

/**
 * Puts stored secrets back in place of masked values sent by a client (see the file comment).
 * `stored` is the stream's current entry (unredacted); absent when creating a stream, where every
 * masked value is an error.
 */
export function restoreMasked(body: unknown, stored: StreamEntry | undefined, redact: Redactor): RestoreResult {
  const known = stored === undefined ? [] : leaves(stored, redactEntry(stored, redact), [], []);
  const byPath = new Map(known.map((leaf) => [leaf.path, leaf]));
  const issues: Issue[] = [];

  const restore = (text: string, path: Path): string => {
    const same = byPath.get(pathKey(path));
    if (same !== undefined && same.shown === text) return same.plain;
    const field = fieldKey(path);
    const candidates = new Set(known.filter((leaf) => leaf.field === field && leaf.shown === text).map((leaf) => leaf.plain));
    const [only] = candidates;
    if (candidates.size === 1 && only !== undefined) return only;
    issues.push({
      path,
      message:
        candidates.size > 1
          ? `holds a masked value ("${MASK}") that matches several stored secrets; send the full value`
          : `holds a masked value ("${MASK}") that matches no stored secret here; send the full value (secrets are write-only)`,
    });
    return text;
  };

  const walk = (value: unknown, path: Path): unknown => {
    if (typeof value === 'string') return value.includes(MASK) ? restore(value, path) : value;
    if (Array.isArray(value)) return value.map((item: unknown, i) => walk(item, [...path, i]));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };

  return { value: walk(body, []), issues };
}
