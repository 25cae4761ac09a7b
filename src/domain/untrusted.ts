/**
 * Defensive readers for parsed XML / JSON from outside (RTMP server APIs, ffprobe, HTTP
 * bodies): every accessor accepts `unknown` and returns a typed value or undefined, so a
 * missing or oddly typed field never throws.
 */
import { errorMessage } from './error-message.js';
export type UntrustedRecord = Readonly<Record<string, unknown>>;

export function asRecord(value: unknown): UntrustedRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as UntrustedRecord) : undefined;
}

/** Arrays as they are; a single object as a one-element list (XML parsers do that); else []. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  if (value === undefined || value === null || value === '') return [];
  return [value];
}

export function asRecords(value: unknown): UntrustedRecord[] {
  return asList(value)
    .map(asRecord)
    .filter((entry): entry is UntrustedRecord => entry !== undefined);
}

/** Strings as they are, finite numbers as decimal text; else undefined. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

/** Finite numbers, and strings that are entirely a finite number; else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** JSON.parse that returns `{ ok: false }` instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
