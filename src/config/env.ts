/**
 * `${VAR}` substitution over the parsed YAML tree. It runs after parsing and touches only string
 * scalars (never keys), so a variable's value can never inject YAML structure.
 *
 *   ${VAR}           the variable; unset is an error that names it
 *   ${VAR:-default}  the default when VAR is unset or empty; `${VAR:-}` makes it optional
 *   $${              a literal `${`
 */
import { type ConfigPath, type Issue } from './issues.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvResult {
  /** The tree with every reference replaced. */
  readonly value: unknown;
  readonly issues: readonly Issue[];
  /** Paths whose value could not be substituted: later stages must not report them again. */
  readonly failedPaths: readonly ConfigPath[];
  /** Mapping keys dropped because substitution left them empty (an empty optional is absent). */
  readonly emptied: readonly { readonly path: ConfigPath; readonly names: readonly string[] }[];
  /** Values of variables whose name looks secret, for the redactor. */
  readonly secrets: readonly string[];
}

const SECRET_NAME = /KEY|TOKEN|SECRET|PASS|WEBHOOK|AUTH/i;
const ESCAPE_HINT = '(write $${ for a literal "${")';
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

interface StringResult {
  text: string;
  names: string[];
  problems: string[];
}

function substituteString(source: string, env: Env, secrets: Set<string>): StringResult {
  const result: StringResult = { text: '', names: [], problems: [] };
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      result.text += '${';
      i += 3;
      continue;
    }
    if (!source.startsWith('${', i)) {
      result.text += source[i];
      i += 1;
      continue;
    }
    const end = source.indexOf('}', i + 2);
    if (end === -1) {
      result.problems.push(`"\${" is not closed by "}" ${ESCAPE_HINT}`);
      result.text += source.slice(i);
      break;
    }
    const match = REFERENCE.exec(source.slice(i + 2, end));
    const name = match?.[1];
    if (match === null || name === undefined) {
      result.problems.push(`invalid variable reference ${JSON.stringify(source.slice(i, end + 1))} ${ESCAPE_HINT}`);
    } else {
      result.names.push(name);
      const fallback = match[2];
      const set = env[name];
      const value = fallback !== undefined && !set ? fallback : set;
      if (value === undefined) result.problems.push(`environment variable ${name} is not set`);
      else {
        result.text += value;
        if (value !== '' && SECRET_NAME.test(name)) secrets.add(value);
      }
    }
    i = end + 1;
  }
  return result;
}

export function substituteEnv(tree: unknown, env: Env): EnvResult {
  const issues: Issue[] = [];
  const failedPaths: ConfigPath[] = [];
  const emptied: { path: ConfigPath; names: string[] }[] = [];
  const secrets = new Set<string>();

  // `dropIfEmpty` is true for mapping values: there, an emptied string means "absent".
  const walk = (node: unknown, path: ConfigPath, dropIfEmpty: boolean): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      const result = substituteString(node, env, secrets);
      for (const message of result.problems) issues.push({ path, message });
      if (result.problems.length > 0) {
        failedPaths.push(path);
        return undefined;
      }
      if (dropIfEmpty && result.text === '' && result.names.length > 0) {
        emptied.push({ path, names: result.names });
        return undefined;
      }
      return result.text;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index], false));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        const substituted = walk(value, [...path, key], true);
        if (substituted !== undefined || value === undefined) out[key] = substituted;
      }
      return out;
    }
    return node;
  };

  const value = walk(tree, [], false);
  return { value, issues, failedPaths, emptied, secrets: [...secrets] };
}
