import { describe, expect, it } from 'vitest';
import { isoSeconds, pythonUtcIsoformat } from './seed-time.js';

describe('seed time formats', () => {
  it.each([
    [Date.UTC(2025, 10, 5, 10, 0, 0, 123), '2025-11-05T10:00:00.123000'],
    [Date.UTC(2025, 10, 5, 10, 0, 0, 5), '2025-11-05T10:00:00.005000'],
    [Date.UTC(2025, 10, 5, 10, 0, 0, 0), '2025-11-05T10:00:00'],
  ])('pythonUtcIsoformat(%i) = %s (no offset, microseconds only when non-zero)', (ms, expected) => {
    expect(pythonUtcIsoformat(ms)).toBe(expected);
  });

  it('isoSeconds gives whole seconds with Z', () => {
    expect(isoSeconds(Date.UTC(2025, 10, 5, 10, 0, 0, 999))).toBe('2025-11-05T10:00:00Z');
  });
});
