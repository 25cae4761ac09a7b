/** Human forms of the API's numbers and times. Pure: `now` is passed in. */

/** "just now", "12s ago", "5m ago", "3h ago", "2d ago"; "Never" for null. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'Never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 'Never';
  const seconds = Math.max(0, Math.round((now - ms) / 1_000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** "45s", "12m 3s", "1h 2m", "3d 4h"; "–" for zero or unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

/** Seconds with sub-second precision where it matters: "0.4 s", "12 s", "3m 5s". */
export function shortSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  return duration(seconds);
}

export function bitrate(bps: number | null): string {
  if (bps === null || !Number.isFinite(bps)) return '–';
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(2)} Mb/s`;
  return `${Math.round(bps / 1_000)} kb/s`;
}

export function fps(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : value.toFixed(1);
}

export function speed(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
}

export function clockTime(iso: string | null): string {
  if (iso === null) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '–' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export type Tone = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** The colour of a stream: its health, grey while stopped (whatever the last health was). */
export function streamTone(state: string, health: string): Tone {
  if (state === 'stopped' || state === 'stopping') return 'unknown';
  return health === 'healthy' || health === 'degraded' || health === 'unhealthy' ? health : 'unknown';
}

/** The words shown beside the colour (colour is never the only signal). */
export function toneLabel(tone: Tone, state: string): string {
  if (tone === 'unknown') return state === 'stopped' ? 'stopped' : 'unknown';
  return tone;
}
