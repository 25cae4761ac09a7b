/**
 * Loads the configuration file: YAML → `${VAR}` substitution → schema → cross-entry rules →
 * defaults → deep freeze. Every problem found along the way is collected and thrown at once as a
 * `ConfigError` whose issues read `path: message`, in the order they appear in the file.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../domain/errors.js';
import { type Env, type EnvResult, substituteEnv } from './env.js';
import { type ConfigPath, configErrorMap, formatIssue, fromZodIssues, type Issue, isWithin } from './issues.js';
import { resolveConfig } from './resolve.js';
import { checkRules } from './rules.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';
import { errorMessage } from '../domain/error-message.js';

export type { Env } from './env.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Offset of the deepest YAML node on `path`, so issues can be listed in file order. */
function offsetOf(doc: Document, path: ConfigPath): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (typeof node === 'object' && node !== null && 'range' in node && Array.isArray(node.range)) {
      const start: unknown = node.range[0];
      if (typeof start === 'number') return start;
    }
  }
  return 0;
}

/** Masks secret values that a message may quote (an unknown reference, a bad enum value). */
function mask(line: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), line);
}

const MAX_SYNTAX_ISSUES = 5;
const FLOW_HINT = ' (inside [ ] or { }, quote values that use variables: "${VAR}")';

/**
 * One error per line, at most a few: after a structural break the parser reports every later
 * token, and those echoes would bury the real mistake.
 */
function syntaxIssues(doc: Document, text: string, lines: LineCounter): Issue[] {
  const sourceLines = text.split(/\r?\n/);
  const seen = new Set<number>();
  const issues: Issue[] = [];
  for (const error of doc.errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    if (seen.has(line)) continue;
    seen.add(line);
    const hint = sourceLines[line - 1]?.includes('${') ? FLOW_HINT : '';
    issues.push({ path: [], message: `YAML syntax error at line ${line}, column ${col}: ${error.message}${hint}` });
  }
  if (issues.length <= MAX_SYNTAX_ISSUES) return issues;
  const more = issues.length - MAX_SYNTAX_ISSUES;
  return [...issues.slice(0, MAX_SYNTAX_ISSUES), { path: [], message: `${more} more YAML syntax errors follow (fix the first ones first)` }];
}

/**
 * Drops what a missing variable already explains (it was reported by name) and says which
 * variable left a value empty.
 */
function explainEnv(issues: readonly Issue[], substituted: EnvResult): Issue[] {
  return issues
    .filter((issue) => !substituted.failedPaths.some((failed) => isWithin(issue.path, failed)))
    .map((issue) => {
      const emptied = substituted.emptied.find((e) => isWithin(issue.path, e.path) && isWithin(e.path, issue.path));
      if (!emptied) return issue;
      return { ...issue, message: `${issue.message} (empty after substituting ${emptied.names.join(', ')})` };
    });
}

/** Parses and validates configuration text. `env` supplies `${VAR}` values (pass process.env). */
export function loadConfigText(text: string, env: Env): Config {
  const lines = new LineCounter();
  // merge: `<<: *defaults` lets many streams share settings.
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(syntaxIssues(doc, text, lines).map(formatIssue));

  let tree: unknown;
  try {
    tree = doc.toJS() ?? {};
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when converting.
    throw new ConfigError([formatIssue({ path: [], message: errorMessage(error) })]);
  }

  const substituted = substituteEnv(tree, env);
  const parsed = configSchema.safeParse(substituted.value, { error: configErrorMap });
  const found = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...checkRules(substituted.value)];
  const issues = [...substituted.issues, ...explainEnv(found, substituted)];

  if (issues.length > 0 || !parsed.success) {
    const ordered = issues
      .map((issue, index) => ({ issue, index, offset: offsetOf(doc, issue.path) }))
      .sort((a, b) => a.offset - b.offset || a.index - b.index);
    throw new ConfigError(ordered.map(({ issue }) => mask(formatIssue(issue), substituted.secrets)));
  }
  return deepFreeze(resolveConfig(parsed.data, substituted.secrets));
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** Reads and loads a configuration file; an unreadable file is a ConfigError naming the path. */
export async function loadConfigFile(path: string, env: Env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = READ_ERRORS[code] ?? errorMessage(error);
    throw new ConfigError([formatIssue({ path: [], message: `cannot read config file ${JSON.stringify(path)}: ${reason}` })]);
  }
  return loadConfigText(text, env);
}
