/**
 * Configuration problems as `{path, message}` and their one-line form `streams[1].restart: …`.
 * Every stage of loading (YAML, env, schema, cross-references) reports through this type so the
 * loader can sort, filter and print them together.
 */
import { z } from 'zod';

export type PathSegment = string | number;
export type ConfigPath = readonly PathSegment[];

export interface Issue {
  readonly path: ConfigPath;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['streams', 1, 'restart', 'backoffMax']` → `streams[1].restart.backoffMax`; `[]` → `(root)`. */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function formatIssue(issue: Issue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** True when `inner` is `outer` or lies beneath it. */
export function isWithin(inner: ConfigPath, outer: ConfigPath): boolean {
  return outer.length <= inner.length && outer.every((segment, i) => inner[i] === segment);
}

/** Quotes a user value for a message, shortened so a pasted blob cannot flood the output. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

/** How a YAML value looks to a user (never echoes strings: they may hold keys). */
function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return 'a string';
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return typeof input;
}

const EXPECTED_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function oneOf(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(' | ');
}

/** Messages in our voice for zod's built-in issues; schema-level messages take precedence. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value': {
      const got = typeof issue.input === 'string' ? `, got ${quote(issue.input)}` : `, got ${describe(issue.input)}`;
      return `expected one of ${oneOf(issue.values)}${got}`;
    }
    case 'invalid_union': {
      if (issue.input === undefined) return 'is required';
      // A discriminated union (checks, notifiers, rtmpServers) whose `type` matched no option.
      const options: unknown = issue.options;
      if (typeof issue.discriminator !== 'string' || !Array.isArray(options)) return undefined;
      const input = issue.input;
      const got = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
      if (got === undefined) return `is required: one of ${oneOf(options)}`;
      const shown = typeof got === 'string' ? quote(got) : describe(got);
      return `expected one of ${oneOf(options)}, got ${shown}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return issue.minimum === 1 ? 'must not be empty' : `needs at least ${issue.minimum} entries`;
      if (issue.origin === 'string') return 'must not be empty';
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'unrecognized_keys':
      // One line per key, split again by fromZodIssues: the map only sees the whole issue.
      return issue.keys.map((key) => suggestKey(key, knownKeys(issue.inst))).join('\n');
    default:
      return undefined;
  }
};

function knownKeys(inst: unknown): string[] {
  return inst instanceof z.core.$ZodObject ? Object.keys(inst._zod.def.shape) : [];
}

/** `unknown key`, with a hint when a known key is a likely typo (`backoffmax` → `backoffMax`). */
function suggestKey(key: string, known: readonly string[]): string {
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= (key.length <= 4 ? 1 : 2));
  return close === undefined ? 'unknown key' : `unknown key (did you mean ${quote(close)}?)`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Zod issues → ours; an unknown-keys issue becomes one issue per key, at the key's own path. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split('\n');
      issue.keys.forEach((key, i) => out.push({ path: [...path, key], message: messages[i] ?? 'unknown key' }));
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}
