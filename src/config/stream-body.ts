/**
 * Turns a POST / PUT body into a StreamSpec with the configuration file's own schema, rules and
 * defaults, so the API accepts exactly what a stream entry of the config file accepts and reports
 * every problem with its path (`restart.backoffMax: …`) in one INVALID_STREAM error.
 *
 * Two deliberate differences from the file:
 * - `${VAR}` is not substituted: an API client must not be able to read the daemon's
 *   environment (`name: ${AWS_SECRET_ACCESS_KEY}`). A `${` is refused with its path.
 * - `desired` defaults to the caller's choice (on PUT: the stream's current desired state, so
 *   editing a stopped stream does not start it).
 * References (`rtmpServer`, `notify`) must name entries of the loaded configuration.
 */
import { checkRules } from './rules.js';
import { configErrorMap, formatIssue, fromZodIssues, type Issue, type PathSegment } from './issues.js';
import { resolveConfig } from './resolve.js';
import { streamSchema } from './schema.js';
import { InvalidStreamError } from '../domain/errors.js';
import type { Redactor } from '../domain/redact.js';
import type { DesiredState, StreamSpec } from '../domain/stream-spec.js';
import { restoreMasked, type StreamEntry } from './stream-entry.js';

/** The ids API-created streams may refer to: those of the loaded configuration. */
export interface StreamReferences {
  readonly rtmpServers: readonly string[];
  readonly notifiers: readonly string[];
}

export interface ParseStreamOptions {
  readonly references: StreamReferences;
  readonly redact: Redactor;
  /** The `desired` state when the body does not say. */
  readonly desiredDefault: DesiredState;
  /** PUT: the id in the path (the body's id may be left out, or must match). */
  readonly pathId?: string;
  /** PUT: the stream's current entry, unredacted, for masked values sent back (see stream-entry.ts). */
  readonly stored?: StreamEntry;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findVariables(value: unknown, path: PathSegment[], issues: Issue[]): void {
  if (typeof value === 'string') {
    if (value.includes('${')) {
      issues.push({ path, message: 'environment variables ("${…}") are not substituted in API requests; send the value itself' });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => findVariables(item, [...path, i], issues));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) findVariables(item, [...path, key], issues);
  }
}

/** Parses and resolves a stream body; throws InvalidStreamError listing every problem. */
export function parseStreamBody(body: unknown, options: ParseStreamOptions): StreamSpec {
  if (!isRecord(body)) throw new InvalidStreamError([formatIssue({ path: [], message: 'expected a JSON object (a stream entry)' })]);
  const issues: Issue[] = [];

  let entry: Record<string, unknown> = body;
  if (options.pathId !== undefined) {
    if (entry.id === undefined) entry = { ...entry, id: options.pathId };
    else if (entry.id !== options.pathId) issues.push({ path: ['id'], message: `must match the id in the path ("${options.pathId}")` });
  }

  const restored = restoreMasked(entry, options.stored, options.redact);
  issues.push(...restored.issues);
  const value = restored.value;
  findVariables(value, [], issues);

  const parsed = streamSchema.safeParse(value, { error: configErrorMap });
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues));
  const root = {
    rtmpServers: options.references.rtmpServers.map((id) => ({ id })),
    notifiers: options.references.notifiers.map((id) => ({ id })),
    streams: [value],
  };
  for (const issue of checkRules(root)) issues.push({ ...issue, path: issue.path.slice(2) });

  if (issues.length > 0 || !parsed.success) {
    const unique = [...new Set(issues.map(formatIssue))];
    throw new InvalidStreamError(unique.length > 0 ? unique : ['(root): invalid stream']);
  }

  const stream = {
    ...parsed.data,
    desired: parsed.data.desired ?? options.desiredDefault,
    notify: parsed.data.notify ?? [...options.references.notifiers],
  };
  const [spec] = resolveConfig({ streams: [stream] }, []).streams;
  if (spec === undefined) throw new InvalidStreamError(['(root): invalid stream']);
  return spec;
}
