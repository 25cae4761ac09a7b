import { describe, expect, it } from 'vitest';
import { inMaintenance, routeNotice, windowsForUnknownStreams, type NotifierRoute } from './routing.js';

const routes: NotifierRoute[] = [
  { id: 'ops', global: true, minSeverity: 'warning' },
  { id: 'cam-team', global: false, minSeverity: 'info' },
  { id: 'pager', global: true, minSeverity: 'critical' },
];

describe('routing', () => {
  it.each([
    [['cam-team'], 'info', ['cam-team']],
    [['cam-team'], 'warning', ['ops', 'cam-team']],
    [[], 'critical', ['ops', 'pager']],
    [[], 'info', []],
  ] as const)('notify %j, %s → %j', (notify, severity, expected) => {
    expect(routeNotice(routes, notify, severity)).toEqual(expected);
  });
});

describe('maintenance windows', () => {
  const windows = [
    { stream: 'cam1', start: 1_000, end: 2_000 },
    { start: 5_000, end: 6_000 },
  ];
  it.each([
    ['cam1', 1_000, true],
    ['cam1', 2_000, false],
    ['cam2', 1_500, false],
    ['cam2', 5_500, true],
    [undefined, 5_999, true],
    [undefined, 1_500, false],
  ] as const)('%s at %i → %s', (stream, now, expected) => {
    expect(inMaintenance(windows, stream, now)).toBe(expected);
  });
});

describe('windowsForUnknownStreams', () => {
  it('names the windows still to come whose stream does not exist; daemon-wide and past windows never', () => {
    const windows = [
      { stream: 'radoi', start: 1_000, end: 9_000 },
      { stream: 'radio', start: 1_000, end: 9_000 },
      { stream: 'gone', start: 1_000, end: 2_000 },
      { start: 1_000, end: 9_000 },
    ];
    expect(windowsForUnknownStreams(windows, (id) => id === 'radio', 5_000)).toEqual([{ stream: 'radoi', start: 1_000, end: 9_000 }]);
  });
});
