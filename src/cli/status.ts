/** `streamwarden status`: a table of the streams of a running daemon, read over its HTTP API. */
import type { StreamDto } from '../http/stream-dto.js';
import { callApi, type ApiOptions } from './api-client.js';

export interface StatusOptions extends ApiOptions {
  readonly json: boolean;
}

export async function showStatus(options: StatusOptions, out: (line: string) => void, err: (line: string) => void = out): Promise<number> {
  const result = await callApi<StreamDto[]>('GET', '/api/v1/streams', { timeoutMs: 5_000, ...options });
  if (!result.ok) {
    err(`streamwarden: status: ${result.message}`);
    return 1;
  }
  const streams = result.body;
  if (options.json) {
    out(JSON.stringify(streams, null, 2));
    return 0;
  }
  out(formatTable(streams));
  return 0;
}

export function formatTable(streams: readonly StreamDto[]): string {
  const header = ['ID', 'STATE', 'HEALTH', 'PID', 'RESTARTS', 'UPTIME', 'FPS', 'BITRATE', 'SPEED', 'LAST ERROR'];
  const rows = streams.map((s) => [
    s.id,
    s.desired === 'stopped' && s.state !== 'stopped' ? `${s.state} (→stopped)` : s.state,
    s.health,
    s.pid === null ? '-' : String(s.pid),
    String(s.restarts),
    formatUptime(s.uptimeSeconds),
    s.progress.fps === null ? '-' : s.progress.fps.toFixed(1),
    s.progress.bitrateBps === null ? '-' : `${Math.round(s.progress.bitrateBps / 1000)}k`,
    s.progress.speed === null ? '-' : `${s.progress.speed.toFixed(2)}x`,
    (s.lastError ?? '').slice(0, 60),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function formatUptime(seconds: number): string {
  if (seconds <= 0) return '-';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}h${m}m` : m ? `${m}m${s}s` : `${s}s`;
}
