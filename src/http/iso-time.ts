/** API times: ISO 8601 UTC with milliseconds, `null` when there is none. */
export const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
