/** The public shape of a stream in the API (DESIGN.md §4.3). Never carries a secret. */
import { lifecycleHealth, type Health } from '../domain/health.js';
import type { StreamStatus } from '../supervisor/stream-supervisor.js';

export interface StreamDto {
  id: string;
  name: string;
  desired: string;
  state: string;
  health: Health;
  pid: number | null;
  restarts: number;
  uptimeSeconds: number;
  lastError: string | null;
  progress: {
    fps: number | null;
    bitrateBps: number | null;
    speed: number | null;
    frames: number | null;
    outTimeSeconds: number | null;
  };
}

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

export function toStreamDto(status: StreamStatus): StreamDto {
  const p = status.progress;
  return {
    id: status.id,
    name: status.name,
    desired: status.desired,
    state: status.state,
    health: lifecycleHealth(status.state),
    pid: status.pid ?? null,
    restarts: status.restarts,
    uptimeSeconds: Math.floor(status.uptimeSeconds),
    lastError: status.lastError ?? null,
    progress: {
      fps: round(p?.fps, 2),
      bitrateBps: round(p?.bitrate, 0),
      speed: round(p?.speed, 3),
      frames: p?.frames ?? null,
      outTimeSeconds: round(p?.outTimeSeconds, 3),
    },
  };
}
