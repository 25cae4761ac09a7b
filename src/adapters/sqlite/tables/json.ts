/** JSON columns: written from caller values, read back as JsonValue (we wrote them, so no validation). */
import type { JsonValue } from '../../../ports/store.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

/** A row's NULL as an absent property. */
export function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** LIMIT must be a non-negative integer (a negative one means "no limit" to SQLite). */
export function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
}
