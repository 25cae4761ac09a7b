/**
 * Time formats of the systems our users come from, for their compatibility endpoints:
 *
 * - `pythonUtcIsoformat`: Python's `datetime.utcnow().isoformat()` (VistterStream's watchdog
 *   status): UTC without an offset, microseconds only when non-zero, e.g. `2025-11-05T10:00:00.123000`.
 * - `isoSeconds`: whole seconds in UTC with `Z` (the radio module's health `timestamp`), e.g.
 *   `2025-11-05T10:00:00Z`.
 */

export function pythonUtcIsoformat(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-11-05T10:00:00.123Z
  const seconds = iso.slice(0, 19);
  const millis = Math.floor(((ms % 1_000) + 1_000) % 1_000);
  return millis === 0 ? seconds : `${seconds}.${String(millis * 1_000).padStart(6, '0')}`;
}

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
