import { describe, expect, it } from 'vitest';
import type { StreamDto } from '../http/stream-dto.js';
import { formatTable } from './status.js';

const base: StreamDto = {
  id: 'radio',
  name: 'Radio',
  desired: 'running',
  state: 'running',
  health: 'healthy',
  pid: 4242,
  restarts: 3,
  uptimeSeconds: 3_725,
  lastError: null,
  progress: { fps: 25, bitrateBps: 2_500_000, speed: 1.002, frames: 1_000, outTimeSeconds: 40 },
  activeInput: null,
  lastCheckAt: null,
  engine: null,
  preview: null,
};

describe('formatTable', () => {
  it('aligns one row per stream under a header', () => {
    const table = formatTable([base, { ...base, id: 'cam', state: 'crashloop', health: 'unhealthy', pid: null, uptimeSeconds: 0, lastError: 'Connection refused', progress: { fps: null, bitrateBps: null, speed: null, frames: null, outTimeSeconds: null } }]);
    const [header, radio, cam] = table.split('\n');
    expect(header).toMatch(/^ID\s+STATE\s+HEALTH\s+PID\s+RESTARTS\s+UPTIME\s+FPS\s+BITRATE\s+SPEED\s+LAST ERROR$/);
    expect(radio).toMatch(/^radio\s+running\s+healthy\s+4242\s+3\s+1h2m\s+25\.0\s+2500k\s+1\.00x$/);
    expect(cam).toMatch(/^cam\s+crashloop\s+unhealthy\s+-\s+3\s+-\s+-\s+-\s+-\s+Connection refused$/);
    expect(header?.indexOf('STATE')).toBe(radio?.indexOf('running'));
  });

  it('shows a stream on its way to stopped', () => {
    expect(formatTable([{ ...base, desired: 'stopped', state: 'stopping' }])).toContain('stopping (→stopped)');
  });
});
