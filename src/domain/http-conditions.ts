/**
 * Gatus-like conditions for the http check, parsed by a tiny hand-written parser (no eval):
 *
 *   condition := operand operator value
 *   operand   := status | responseTime | body ( path )?
 *                (Gatus spellings [STATUS], [RESPONSE_TIME], [BODY] are accepted too)
 *   path      := ( "." key | "[" index "]" )+        key: letters, digits, _ - $ ; index: digits
 *   operator  := == | != | < | <= | > | >=
 *   value     := number | duration (500ms, 2s, 1m) | "string" | 'string' | true | false | null
 *
 *   status == 200          responseTime < 2s          body.status == "live"
 *   body.viewers >= 1      body.items[0].ok == true   body == "OK"
 *
 * `status` compares with an integer; `responseTime` with a duration (a bare number is ms);
 * `body.<path>` reads the JSON body; bare `body` is the raw text (trimmed). Ordering operators
 * need numbers on both sides. Bad conditions fail at parse time with a ConditionSyntaxError that
 * says where and what was expected.
 */
import { parseDuration } from './duration.js';
import { StreamwardenError } from './errors.js';
import { asRecord } from './untrusted.js';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type PathStep = string | number;
export type Literal = number | string | boolean | null;

export type Operand =
  | { readonly kind: 'status' }
  | { readonly kind: 'responseTime' }
  | { readonly kind: 'body'; readonly path: readonly PathStep[] };

export interface Condition {
  /** As written, for messages. */
  readonly source: string;
  readonly operand: Operand;
  readonly operator: Operator;
  readonly value: Literal;
}

export class ConditionSyntaxError extends StreamwardenError {
  constructor(
    readonly condition: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super('INVALID_CONDITION', `invalid condition "${condition}" at character ${position + 1}: ${reason}`);
  }
}

const OPERATORS: readonly Operator[] = ['==', '!=', '<=', '>=', '<', '>'];
const MAX_CONDITION_LENGTH = 500;
const KEY = /^[A-Za-z0-9_$-]+/;
const NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  get rest(): string {
    return this.text.slice(this.position);
  }
  skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position] ?? '')) this.position += 1;
  }
  fail(reason: string): never {
    throw new ConditionSyntaxError(this.text, this.position, reason);
  }
}

export function parseCondition(text: string): Condition {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError(text.slice(0, 40), 0, `longer than ${MAX_CONDITION_LENGTH} characters`);
  const cursor: Cursor = new Cursor(text);
  cursor.skipSpace();
  if (cursor.rest === '') cursor.fail('empty condition');
  const operand = parseOperand(cursor);
  cursor.skipSpace();
  const operator = OPERATORS.find((op) => cursor.rest.startsWith(op));
  if (operator === undefined) cursor.fail('expected an operator (==, !=, <, <=, >, >=)');
  cursor.position += operator.length;
  cursor.skipSpace();
  const valueStart = cursor.position;
  const value = parseValue(cursor, operand);
  cursor.skipSpace();
  if (cursor.rest !== '') cursor.fail(`unexpected "${cursor.rest.slice(0, 20)}" after the value`);
  checkTypes(cursor, operand, operator, value, valueStart);
  return { source: text.trim(), operand, operator, value };
}

/** Parses every condition; throws the first error. */
export function parseConditions(texts: readonly string[]): Condition[] {
  return texts.map(parseCondition);
}

function parseOperand(cursor: Cursor): Operand {
  const word = /^(\[[A-Z_]+\]|[A-Za-z_]+)/.exec(cursor.rest)?.[0];
  if (word === undefined) cursor.fail('expected status, responseTime or body');
  const normalized = word.toLowerCase();
  cursor.position += word.length;
  if (normalized === 'status' || normalized === '[status]') return { kind: 'status' };
  if (normalized === 'responsetime' || normalized === '[response_time]') return { kind: 'responseTime' };
  if (normalized === 'body' || normalized === '[body]') return { kind: 'body', path: parsePath(cursor) };
  cursor.position -= word.length;
  return cursor.fail(`unknown operand "${word}" (expected status, responseTime or body)`);
}

function parsePath(cursor: Cursor): PathStep[] {
  const path: PathStep[] = [];
  for (;;) {
    const next = cursor.text[cursor.position];
    if (next === '.') {
      cursor.position += 1;
      const key = KEY.exec(cursor.rest)?.[0];
      if (key === undefined) cursor.fail('expected a field name after "."');
      path.push(key);
      cursor.position += key.length;
    } else if (next === '[') {
      const index = /^\[(\d{1,6})\]/.exec(cursor.rest);
      if (index === null) cursor.fail('expected an array index like [0]');
      path.push(Number(index[1]));
      cursor.position += index[0].length;
    } else {
      return path;
    }
  }
}

function parseValue(cursor: Cursor, operand: Operand): Literal {
  const rest = cursor.rest;
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    let out = '';
    for (let i = 1; i < rest.length; i += 1) {
      const ch = rest[i];
      if (ch === '\\' && i + 1 < rest.length) {
        out += rest[i + 1];
        i += 1;
      } else if (ch === quote) {
        cursor.position += i + 1;
        return out;
      } else {
        out += ch;
      }
    }
    cursor.fail('unterminated string');
  }
  const token = /^\S+/.exec(rest)?.[0];
  if (token === undefined) cursor.fail('expected a value');
  cursor.position += token.length;
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (token === 'null') return null;
  if (NUMBER.test(token)) return Number(token);
  if (operand.kind === 'responseTime') {
    const ms = parseDuration(token);
    if (ms !== undefined) return ms;
  }
  cursor.position -= token.length;
  return cursor.fail(
    operand.kind === 'responseTime'
      ? `expected a duration like 500ms or 2s, got "${token}"`
      : `expected a number, a "quoted string", true, false or null, got "${token}" (quote strings)`,
  );
}

function checkTypes(cursor: Cursor, operand: Operand, operator: Operator, value: Literal, valueAt: number): void {
  const ordering = operator !== '==' && operator !== '!=';
  cursor.position = valueAt;
  if (operand.kind === 'status' && (typeof value !== 'number' || !Number.isInteger(value))) {
    cursor.fail('status compares with an integer such as 200');
  }
  if (operand.kind === 'responseTime' && typeof value !== 'number') {
    cursor.fail('responseTime compares with a duration such as 2s');
  }
  if (ordering && typeof value !== 'number') {
    cursor.fail(`${operator} needs a number on the right`);
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface HttpObservation {
  readonly status: number;
  readonly responseTimeMs: number;
  /** The body as text (possibly cut at the size limit). */
  readonly bodyText: string;
  /** True when the body exceeded the size limit. */
  readonly bodyTruncated: boolean;
}

export interface ConditionOutcome {
  readonly ok: boolean;
  /** Why it failed, e.g. `body.status is "offline"`. Empty when it passed. */
  readonly message: string;
}

/** Evaluates conditions against one response; the parsed JSON body is computed once. */
export function evaluateConditions(conditions: readonly Condition[], observation: HttpObservation): ConditionOutcome[] {
  let json: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
  const body = (): typeof json => {
    if (json === undefined) {
      if (observation.bodyTruncated) json = { ok: false, error: 'the body is larger than the size limit' };
      else {
        try {
          json = { ok: true, value: JSON.parse(observation.bodyText) as unknown };
        } catch {
          json = { ok: false, error: 'the body is not JSON' };
        }
      }
    }
    return json;
  };
  return conditions.map((condition) => evaluate(condition, observation, body));
}

function evaluate(
  condition: Condition,
  observation: HttpObservation,
  body: () => { ok: true; value: unknown } | { ok: false; error: string } | undefined,
): ConditionOutcome {
  const { operand } = condition;
  let actual: unknown;
  let label: string;
  if (operand.kind === 'status') {
    actual = observation.status;
    label = 'status';
  } else if (operand.kind === 'responseTime') {
    actual = observation.responseTimeMs;
    label = 'responseTime';
  } else if (operand.path.length === 0) {
    actual = observation.bodyText.trim();
    label = 'body';
    if (typeof condition.value === 'number') actual = Number(actual);
  } else {
    label = `body${formatPath(operand.path)}`;
    const parsed = body();
    if (parsed === undefined || !parsed.ok) return fail(condition, parsed?.ok === false ? parsed.error : 'no body');
    const found = walk(parsed.value, operand.path);
    if (!found.present) return fail(condition, `${label} is missing`);
    actual = found.value;
  }
  const passed = compare(actual, condition.operator, condition.value);
  if (passed) return { ok: true, message: '' };
  const shown = operand.kind === 'responseTime' ? `${Math.round(observation.responseTimeMs)}ms` : show(actual);
  return fail(condition, `${label} is ${shown}`);
}

function fail(condition: Condition, why: string): ConditionOutcome {
  return { ok: false, message: `${condition.source}: ${why}` };
}

function walk(root: unknown, path: readonly PathStep[]): { present: boolean; value?: unknown } {
  let current: unknown = root;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { present: false };
      current = (current as unknown[])[step];
    } else {
      const record = asRecord(current);
      if (record === undefined || !Object.prototype.hasOwnProperty.call(record, step)) return { present: false };
      current = record[step];
    }
  }
  return { present: true, value: current };
}

function compare(actual: unknown, operator: Operator, expected: Literal): boolean {
  if (operator === '==' || operator === '!=') {
    return operator === '==' ? actual === expected : actual !== expected;
  }
  if (typeof actual !== 'number' || typeof expected !== 'number' || Number.isNaN(actual)) return false;
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

function formatPath(path: readonly PathStep[]): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
