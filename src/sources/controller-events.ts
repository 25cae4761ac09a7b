/**
 * Applies the controller's events to the store (ControllerSource feeds them, one at a time, in
 * order): a snapshot as a three-way diff of the controller-owned streams, an upsert, a remove.
 * Stream entries are checked by the configuration's schema and rules (parseStreamBody); a bad
 * one throws MalformedEvent with every problem and its path. Streams owned by the file or the
 * API are refused with an error naming their owner. A store failure is thrown as it is.
 */
import { InvalidStreamError } from '../domain/errors.js';
import type { Redactor } from '../domain/redact.js';
import { STREAM_ID_PATTERN, type StreamSpec } from '../domain/stream-spec.js';
import { parseStreamBody, type StreamReferences } from '../config/stream-body.js';
import type { Logger } from '../ports/logger.js';
import { StreamOwnedError, type StreamsRepository } from '../ports/store.js';
import { applyOwnedSet, changedAnything, removeOwned, summarise, upsertOwned } from './owned-streams.js';

export type ControllerVersion = string | number;
export type ControllerEventType = 'snapshot' | 'upsert' | 'remove';

export interface ControllerEventsOptions {
  readonly store: StreamsRepository;
  readonly references: StreamReferences;
  readonly redact: Redactor;
  readonly log: Logger;
  /** Called after the store changed. */
  readonly onChange: (reason: string) => void;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `restart.backoffMax: …` under `streams[2]` → `streams[2].restart.backoffMax: …`. */
export function prefixIssue(prefix: string, issue: string): string {
  if (issue.startsWith('(root)')) return `${prefix}${issue.slice('(root)'.length)}`;
  return issue.startsWith('[') ? `${prefix}${issue}` : `${prefix}.${issue}`;
}

function versionOf(value: unknown): ControllerVersion | undefined {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}

/** An event whose content is wrong: skipped with its issues, the connection stays up. */
export class MalformedEvent extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

export class ControllerEvents {
  /** The version of the last snapshot / upsert / remove applied. */
  version: ControllerVersion | undefined;
  /** Malformed events skipped so far. */
  skippedEvents = 0;

  constructor(private readonly options: ControllerEventsOptions) {}

  apply(type: ControllerEventType, data: unknown): Promise<void> {
    if (type === 'snapshot') return this.snapshot(data);
    if (type === 'upsert') return this.upsert(data);
    return this.remove(data);
  }

  /** Logs a malformed event with every problem (redacted) and counts it. */
  skip(type: string, issues: readonly string[]): void {
    this.skippedEvents++;
    const shown = issues.map((issue) => this.options.redact(issue));
    this.options.log.warn({ event: type, issues: shown }, `skipped a malformed "${type}" event from the controller:\n  ${shown.join('\n  ')}`);
  }

  private parseEntry(entry: unknown, path: string): StreamSpec {
    try {
      return parseStreamBody(entry, { references: this.options.references, redact: this.options.redact, desiredDefault: 'running' });
    } catch (error) {
      if (error instanceof InvalidStreamError) throw new MalformedEvent(error.issues.map((issue) => prefixIssue(path, issue)));
      throw error;
    }
  }

  private async snapshot(data: unknown): Promise<void> {
    if (!isRecord(data)) throw new MalformedEvent(['(root): expected {"version": …, "streams": […]}']);
    const version = versionOf(data.version);
    const issues: string[] = [];
    if (version === undefined) issues.push('version: expected a string or a number');
    if (!Array.isArray(data.streams)) issues.push('streams: expected a list of stream entries');
    if (issues.length > 0 || !Array.isArray(data.streams)) throw new MalformedEvent(issues);

    const specs: StreamSpec[] = [];
    const seen = new Set<string>();
    /** Streams whose entry was bad: kept as they are. */
    const keep = new Set<string>();
    let keepAll = false;
    data.streams.forEach((entry: unknown, index) => {
      const path = `streams[${index}]`;
      const id = isRecord(entry) && typeof entry.id === 'string' ? entry.id : undefined;
      try {
        const spec = this.parseEntry(entry, path);
        if (seen.has(spec.id)) throw new MalformedEvent([`${path}.id: duplicate id "${spec.id}" (the first entry wins)`]);
        seen.add(spec.id);
        specs.push(spec);
      } catch (error) {
        if (!(error instanceof MalformedEvent)) throw error;
        issues.push(...error.issues);
        if (id === undefined) keepAll = true;
        else if (!seen.has(id)) keep.add(id);
      }
    });
    if (issues.length > 0) {
      this.skip('snapshot', [
        ...issues,
        keepAll ? '(the entries above were skipped; no stream is removed by this snapshot)' : '(the entries above were skipped; their streams are left as they are)',
      ]);
    }
    const report = await applyOwnedSet(this.options.store, 'controller', specs, { keep: keepAll ? 'all' : keep });
    this.version = version;
    for (const refused of report.refused) this.options.log.error({ stream: refused.id, owner: refused.owner }, `controller stream refused: ${refused.error}`);
    this.options.log.info({ version, ...summarise(report) }, 'applied a controller snapshot');
    if (changedAnything(report)) this.options.onChange('controller:snapshot');
  }

  private async upsert(data: unknown): Promise<void> {
    if (!isRecord(data)) throw new MalformedEvent(['(root): expected {"stream": {…}}']);
    const spec = this.parseEntry(data.stream, 'stream');
    try {
      const change = await upsertOwned(this.options.store, 'controller', spec);
      this.noteVersion(data.version);
      this.options.log.info({ stream: spec.id, change }, 'applied a controller upsert');
      if (change !== 'unchanged') this.options.onChange('controller:upsert');
    } catch (error) {
      if (!(error instanceof StreamOwnedError)) throw error;
      this.options.log.error({ stream: spec.id, owner: error.owner }, `controller upsert refused: ${error.message}`);
    }
  }

  private async remove(data: unknown): Promise<void> {
    const id = isRecord(data) ? data.id : undefined;
    if (typeof id !== 'string' || !STREAM_ID_PATTERN.test(id)) throw new MalformedEvent(['id: expected a stream id']);
    try {
      const removed = await removeOwned(this.options.store, 'controller', id);
      this.noteVersion(isRecord(data) ? data.version : undefined);
      this.options.log.info({ stream: id, removed }, 'applied a controller remove');
      if (removed) this.options.onChange('controller:remove');
    } catch (error) {
      if (!(error instanceof StreamOwnedError)) throw error;
      this.options.log.error({ stream: id, owner: error.owner }, `controller remove refused: ${error.message}`);
    }
  }

  private noteVersion(value: unknown): void {
    const version = versionOf(value);
    if (version !== undefined) this.version = version;
  }
}
