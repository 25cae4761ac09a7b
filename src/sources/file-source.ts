/**
 * The configuration file as a desired-state source: it owns the streams it lists (owner `file`).
 *
 * On a change of the file (watched, debounced) or a `reload()` (the daemon calls it on SIGHUP) the
 * file is read and validated in full first. A broken file is rejected with every problem logged
 * and nothing changes: the running set stays as it was. A valid one is applied as a three-way diff
 * of the file-owned streams: a changed stream is updated (it restarts), an unchanged one is not
 * touched, a removed one is deleted (it stops), a new one is created. Then the reconciler is
 * triggered (`onChange`).
 *
 * `streams` are reloaded, and `engines` when the daemon takes them (`onEngines`: the registry
 * re-applies its config engines). Other sections (server, storage, rtmpServers, notifiers, …) need
 * a restart; a change to them is logged as a warning and otherwise ignored.
 *
 * Watching is robust to editors that replace the file (write a temp file, rename it over): both
 * the file and its folder are watched, the file watcher is re-armed on the new inode after every
 * event, and a burst of events within `debounceMs` makes one reload. A watch event whose file text
 * is the same as the last one processed is ignored; `reload()` always re-applies. An empty file is
 * rejected (a save caught half-way must not remove every stream); `streams: []` removes them all.
 */
import { watch as fsWatch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { canonicalJson } from '../domain/canonical-json.js';
import { ConfigError } from '../domain/errors.js';
import { loadConfigText, type Env } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StreamsRepository } from '../ports/store.js';
import { applyOwnedSet, changedAnything, summarise, type OwnedApplyReport } from './owned-streams.js';
import { errorMessage } from '../domain/error-message.js';

export interface FileWatcher {
  close(): void;
}

/**
 * Watches a file or folder: `onEvent` with the name of what changed (null when the platform does
 * not say); `onError` once if the watch breaks (the watcher is then dead). Throws when the path
 * cannot be watched (e.g. it does not exist).
 */
export type WatchFn = (path: string, onEvent: (filename: string | null) => void, onError: (error: Error) => void) => FileWatcher;

/** fs.watch, not keeping the process alive on its own. */
export const nodeWatch: WatchFn = (path, onEvent, onError) => {
  const watcher = fsWatch(path, { persistent: false }, (_event, filename) => onEvent(filename === null ? null : String(filename)));
  watcher.on('error', onError);
  return { close: () => watcher.close() };
};

export interface FileSourceOptions {
  readonly path: string;
  /** `${VAR}` values (process.env). */
  readonly env: Env;
  readonly store: StreamsRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after the store changed (wire to `reconciler.trigger`). */
  readonly onChange: (reason: string) => void;
  /** Events within this window make one reload. @default 300 */
  readonly debounceMs?: number;
  /** After a store failure, try again this much later. @default 5000 */
  readonly retryMs?: number;
  /** How to watch; false: no watching (reload() only). @default nodeWatch */
  readonly watch?: WatchFn | false;
  /** Takes the `engines` of every valid file applied (they then reload too); without it they need a restart. */
  readonly onEngines?: (engines: Config['engines']) => void;
}

export type ReloadOutcome =
  | { readonly status: 'applied'; readonly report: OwnedApplyReport }
  /** A watch event, but the file's text is the same as the last one processed. */
  | { readonly status: 'unchanged-text' }
  /** The file is unreadable or invalid: nothing changed. */
  | { readonly status: 'rejected'; readonly issues: readonly string[] }
  /** The store could not take the change (retried after `retryMs`). */
  | { readonly status: 'failed'; readonly error: string };

export interface FileSourceStatus {
  readonly path: string;
  readonly watching: boolean;
  readonly lastAppliedAt: number | undefined;
  /** The problems of the last rejected file, until a valid one is applied. */
  readonly rejectedIssues: readonly string[] | undefined;
  readonly lastError: string | undefined;
}

/** The sections that only a restart applies, as canonical JSON per section. */
function staticSections(config: Config, enginesReload: boolean): Map<string, string> {
  const { streams: _streams, secrets: _secrets, engines, ...rest } = config;
  return new Map(Object.entries(enginesReload ? rest : { ...rest, engines }).map(([key, value]) => [key, canonicalJson(value)]));
}

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' };

export class FileSource {
  readonly path: string;
  private readonly debounceMs: number;
  private readonly retryMs: number;
  private readonly log: Logger;
  private chain: Promise<unknown> = Promise.resolve();
  private lastText: string | undefined;
  private baseline: Map<string, string> | undefined;
  private fileWatcher: FileWatcher | undefined;
  private dirWatcher: FileWatcher | undefined;
  private debounce: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private watching = false;
  private closed = false;
  private lastAppliedAt: number | undefined;
  private rejectedIssues: readonly string[] | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: FileSourceOptions) {
    this.path = resolve(options.path);
    this.debounceMs = options.debounceMs ?? 300;
    this.retryMs = options.retryMs ?? 5_000;
    this.log = options.logger.child({ source: 'file', path: this.path });
  }

  /**
   * Writes the streams of a configuration loaded already (the daemon's startup config, from this
   * file) into the store, and remembers its other sections to warn when a reload changes them.
   */
  applyConfig(config: Config): Promise<ReloadOutcome> {
    return this.serialised(() => this.apply(config, 'startup'));
  }

  /** Reads, validates and applies the file now (SIGHUP). Never throws; the outcome says what happened. */
  reload(reason = 'reload'): Promise<ReloadOutcome> {
    return this.serialised(() => this.load(reason, true));
  }

  /** Starts watching the file and its folder. Idempotent. */
  start(): void {
    if (this.closed || this.watching || this.options.watch === false) return;
    this.watching = true;
    this.armWatchers();
  }

  status(): FileSourceStatus {
    return {
      path: this.path,
      watching: this.watching && (this.dirWatcher !== undefined || this.fileWatcher !== undefined),
      lastAppliedAt: this.lastAppliedAt,
      rejectedIssues: this.rejectedIssues,
      lastError: this.lastError,
    };
  }

  /** Resolves once no reload is running or queued. */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  /** Stops watching; waits for a reload in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.debounce?.cancel();
    this.retry?.cancel();
    this.fileWatcher?.close();
    this.dirWatcher?.close();
    this.fileWatcher = this.dirWatcher = undefined;
    await this.chain;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private armWatchers(): void {
    const watch = this.options.watch;
    if (this.closed || !this.watching || watch === false) return;
    const watchFn = watch ?? nodeWatch;
    const name = basename(this.path);
    if (!this.dirWatcher) {
      try {
        this.dirWatcher = watchFn(
          dirname(this.path),
          (filename) => {
            if (filename === null || filename === name) this.changed();
          },
          (error) => {
            this.log.warn({ err: error }, 'watching the config folder failed; SIGHUP still reloads');
            this.dirWatcher?.close();
            this.dirWatcher = undefined;
          },
        );
      } catch (error) {
        this.log.warn({ err: error }, 'cannot watch the config folder; SIGHUP still reloads');
      }
    }
    // The file itself, re-armed each time: an editor that renames a new file over it leaves the
    // old watcher on a dead inode.
    this.fileWatcher?.close();
    this.fileWatcher = undefined;
    try {
      this.fileWatcher = watchFn(
        this.path,
        () => this.changed(),
        () => {
          this.fileWatcher?.close();
          this.fileWatcher = undefined;
        },
      );
    } catch {
      // Missing right now (being replaced): the folder watcher sees it come back.
    }
  }

  /** A watch event: reload once the burst is over. */
  private changed(): void {
    if (this.closed) return;
    this.debounce?.cancel();
    this.debounce = this.options.clock.setTimer(this.debounceMs, () => {
      this.debounce = undefined;
      void this.serialised(() => this.load('watch', false));
    });
  }

  private async load(reason: string, force: boolean): Promise<ReloadOutcome> {
    try {
      return await this.readAndApply(reason, force);
    } finally {
      // After every look at the file: the one we watched may have been replaced.
      this.armWatchers();
    }
  }

  private async readAndApply(reason: string, force: boolean): Promise<ReloadOutcome> {
    if (this.closed) return { status: 'unchanged-text' };
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const why = READ_ERRORS[code] ?? errorMessage(error);
      return this.reject([`(root): cannot read config file ${JSON.stringify(this.path)}: ${why}`], reason, undefined);
    }
    if (!force && text === this.lastText) return { status: 'unchanged-text' };
    // An empty file is valid YAML for "no streams", but far more often a save caught half-way
    // (truncated, not written yet) or a mistake: removing every stream takes `streams: []`.
    if (text.trim() === '') return this.reject(['(root): the file is empty; to remove every stream write "streams: []"'], reason, text);

    let config: Config;
    try {
      config = loadConfigText(text, this.options.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return this.reject(error.issues, reason, text);
    }
    const outcome = await this.apply(config, reason);
    // Only a processed text is skipped later; after a store failure the same text is tried again.
    if (outcome.status === 'applied') this.lastText = text;
    return outcome;
  }

  private reject(issues: readonly string[], reason: string, text: string | undefined): ReloadOutcome {
    this.lastText = text;
    this.rejectedIssues = issues;
    this.log.error(
      { reason, issues },
      `config reload rejected (${issues.length} problem${issues.length === 1 ? '' : 's'}); nothing changed:\n  ${issues.join('\n  ')}`,
    );
    return { status: 'rejected', issues };
  }

  private async apply(config: Config, reason: string): Promise<ReloadOutcome> {
    this.warnStaticChanges(config);
    // In memory, apart from the streams' store write: a store failure does not hold them back.
    if (this.options.onEngines) {
      try {
        this.options.onEngines(config.engines);
      } catch (error) {
        this.log.error({ reason, err: error }, 'applying the config engines failed');
      }
    }
    let report: OwnedApplyReport;
    try {
      report = await applyOwnedSet(this.options.store, 'file', config.streams);
    } catch (error) {
      this.lastError = errorMessage(error);
      this.log.error({ reason, err: error, retryInMs: this.retryMs }, 'cannot write the config file streams to the store; streams are left as they are');
      this.scheduleRetry();
      return { status: 'failed', error: this.lastError };
    }
    this.lastError = undefined;
    this.rejectedIssues = undefined;
    this.lastAppliedAt = this.options.clock.now();
    for (const refused of report.refused) {
      this.log.error({ stream: refused.id, owner: refused.owner }, `config file stream refused: ${refused.error}`);
    }
    this.log.info({ reason, ...summarise(report) }, 'config file applied');
    if (changedAnything(report)) this.options.onChange(`file:${reason}`);
    return { status: 'applied', report };
  }

  private warnStaticChanges(config: Config): void {
    const next = staticSections(config, this.options.onEngines !== undefined);
    const before = this.baseline;
    if (before === undefined) {
      this.baseline = next;
      return;
    }
    const changed = [...new Set([...before.keys(), ...next.keys()])].filter((key) => before.get(key) !== next.get(key));
    if (changed.length > 0) this.log.warn({ sections: changed }, `only streams are reloaded; changes to ${changed.join(', ')} take effect after a restart`);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = this.options.clock.setTimer(this.retryMs, () => {
      this.retry = undefined;
      void this.reload('retry');
    });
  }
}
