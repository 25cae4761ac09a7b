/**
 * Rules that span fields or entries: duplicate ids, references to rtmpServers and notifiers,
 * args vs inputs, actions that need an RTMP server. They read the raw (env-substituted) tree
 * defensively instead of the schema's output so that they still run, and every problem is
 * reported at once, when an entry also has schema errors.
 */
import { hasEnginePlaceholder } from '../domain/engines/engine-binding.js';
import { type ConfigPath, type Issue, quote } from './issues.js';

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function records(value: unknown): [Raw, number][] {
  return list(value).flatMap((item, index): [Raw, number][] => (isRecord(item) ? [[item, index]] : []));
}

function has(entry: Raw, key: string): boolean {
  return entry[key] !== undefined && entry[key] !== null;
}

/** Reports every repeat of an id, pointing back at its first use. */
function duplicateIds(section: string, entries: [Raw, number][], issues: Issue[]): Set<string> {
  const first = new Map<string, number>();
  for (const [entry, index] of entries) {
    if (typeof entry.id !== 'string') continue;
    const earlier = first.get(entry.id);
    if (earlier === undefined) first.set(entry.id, index);
    else issues.push({ path: [section, index, 'id'], message: `duplicate id ${quote(entry.id)} (also ${section}[${earlier}])` });
  }
  return new Set(first.keys());
}

function unknownReference(kind: string, name: string, known: Set<string>): string {
  const configured = known.size === 0 ? `no ${kind}s are configured` : `configured: ${[...known].join(', ')}`;
  return `no ${kind} with id ${quote(name)} (${configured})`;
}

function streamSource(stream: Raw, path: ConfigPath, issues: Issue[]): void {
  const pipelineKeys = ['inputs', 'output', 'encode'].filter((key) => has(stream, key));
  if (has(stream, 'args') && pipelineKeys.length > 0) {
    issues.push({ path, message: `give either args or inputs + output, not both (found args and ${pipelineKeys.join(', ')})` });
  } else if (!has(stream, 'args') && pipelineKeys.length === 0) {
    issues.push({ path, message: 'give either args (raw ffmpeg arguments) or inputs + output' });
  } else if (pipelineKeys.length > 0) {
    if (!has(stream, 'inputs')) issues.push({ path: [...path, 'inputs'], message: 'is required with output and encode' });
    if (!has(stream, 'output')) issues.push({ path: [...path, 'output'], message: 'is required with inputs' });
  }
  const first = list(stream.args)[0];
  if (typeof first === 'string' && /(^|[\\/])ffmpeg(\.exe)?$/.test(first)) {
    issues.push({ path: [...path, 'args', 0], message: 'args are the arguments to ffmpeg, without the binary: remove it' });
  }
}

function streamActions(stream: Raw, path: ConfigPath, issues: Issue[]): void {
  const seen = new Set<unknown>();
  list(stream.onUnhealthy).forEach((action, i) => {
    const at = [...path, 'onUnhealthy', i];
    if (seen.has(action)) issues.push({ path: at, message: `${String(action)} is listed twice` });
    seen.add(action);
    if (action === 'drop-publisher' && !has(stream, 'rtmpServer')) {
      issues.push({ path: at, message: 'drop-publisher needs rtmpServer on this stream' });
    }
    if (action === 'next-input' && has(stream, 'args')) {
      issues.push({ path: at, message: 'next-input needs inputs (this stream uses args)' });
    }
  });

  streamEngine(stream, path, issues);

  if (has(stream, 'dropPublisher') && !list(stream.onUnhealthy).includes('drop-publisher')) {
    issues.push({ path: [...path, 'dropPublisher'], message: 'dropPublisher sets the target of drop-publisher, which onUnhealthy does not list' });
  }

  if (has(stream, 'failover') && has(stream, 'args')) {
    issues.push({ path: [...path, 'failover'], message: 'failover needs inputs (this stream uses args)' });
  }

  const names = new Map<string, number>();
  for (const [check, i] of records(stream.checks)) {
    if (check.type === 'rtmp-server' && !has(stream, 'rtmpServer')) {
      issues.push({ path: [...path, 'checks', i], message: 'an rtmp-server check needs rtmpServer on this stream' });
    }
    const name = typeof check.name === 'string' ? check.name : check.type;
    if (typeof name !== 'string') continue;
    const earlier = names.get(name);
    if (earlier === undefined) names.set(name, i);
    else issues.push({ path: [...path, 'checks', i, 'name'], message: `duplicate check name ${quote(name)} (also checks[${earlier}]); give each check a unique name` });
  }
}

/** Where ffmpeg-bound strings of a stream entry name an engine placeholder. */
function placeholderPaths(stream: Raw, path: ConfigPath): ConfigPath[] {
  const found: ConfigPath[] = [];
  const scan = (value: unknown, at: ConfigPath): void => {
    if (typeof value === 'string' && hasEnginePlaceholder(value)) found.push(at);
  };
  list(stream.args).forEach((arg, i) => scan(arg, [...path, 'args', i]));
  list(stream.encode).forEach((arg, i) => scan(arg, [...path, 'encode', i]));
  scan(stream.output, [...path, 'output']);
  list(stream.inputs).forEach((input, i) => {
    if (!isRecord(input)) return scan(input, [...path, 'inputs', i]);
    scan(input.url, [...path, 'inputs', i, 'url']);
    list(input.options).forEach((option, j) => scan(option, [...path, 'inputs', i, 'options', j]));
  });
  return found;
}

/** `engine` and the `{engine}` placeholders go together: one without the other is a mistake. */
function streamEngine(stream: Raw, path: ConfigPath, issues: Issue[]): void {
  const uses = placeholderPaths(stream, path);
  if (has(stream, 'engine') && uses.length === 0) {
    issues.push({ path: [...path, 'engine'], message: 'a stream on an engine pool must use {engine} (or {engine.host} / {engine.port}) in its inputs, output, encode or args' });
  }
  // Fallback inputs are probed by their URL, which cannot name an engine before one is acquired.
  if (has(stream, 'engine') && list(stream.inputs).length > 1) {
    issues.push({ path: [...path, 'inputs'], message: 'a stream on an engine pool has one input (fallback inputs are not supported with engine yet)' });
  }
  if (!has(stream, 'engine')) {
    for (const at of uses) issues.push({ path: at, message: 'uses an {engine} placeholder, but the stream names no engine pool: add engine: {} (or engine: {labels: {...}})' });
  }
}

export function checkRules(root: unknown): Issue[] {
  if (!isRecord(root)) return [];
  const issues: Issue[] = [];
  const servers = duplicateIds('rtmpServers', records(root.rtmpServers), issues);
  const notifiers = duplicateIds('notifiers', records(root.notifiers), issues);
  const streams = records(root.streams);
  duplicateIds('streams', streams, issues);
  duplicateIds('engines', records(root.engines), issues);

  for (const [stream, index] of streams) {
    const path = ['streams', index];
    streamSource(stream, path, issues);
    if (typeof stream.rtmpServer === 'string' && !servers.has(stream.rtmpServer)) {
      issues.push({ path: [...path, 'rtmpServer'], message: unknownReference('rtmpServer', stream.rtmpServer, servers) });
    }
    list(stream.notify).forEach((name, i) => {
      if (typeof name === 'string' && !notifiers.has(name)) {
        issues.push({ path: [...path, 'notify', i], message: unknownReference('notifier', name, notifiers) });
      }
    });
    streamActions(stream, path, issues);
  }
  return issues;
}
