import { describe, expect, it } from 'vitest';
import { overallStatus, pass, runComponents, streamComponent, warn, type ComponentResult } from './health-report.js';

const result = (kind: ComponentResult['kind'], status: ComponentResult['status']): ComponentResult => ({ name: 'x', kind, status, message: '' });

describe('health report', () => {
  it.each([
    [[], 'pass'],
    [[result('liveness', 'pass'), result('readiness', 'pass')], 'pass'],
    [[result('liveness', 'pass'), result('readiness', 'warn')], 'warn'],
    [[result('liveness', 'fail'), result('readiness', 'warn')], 'fail'],
    [[result('readiness', 'pass'), result('stream', 'fail')], 'warn'],
    [[result('readiness', 'fail'), result('stream', 'pass')], 'fail'],
  ] as const)('overall status of %j is %s', (results, expected) => {
    expect(overallStatus(results)).toBe(expected);
  });

  it('a component that throws counts as failed without exposing the error', () => {
    const results = runComponents([
      { name: 'ok', kind: 'liveness', check: () => pass('fine') },
      { name: 'meh', kind: 'readiness', check: () => warn('slow') },
      {
        name: 'broken',
        kind: 'readiness',
        check: () => {
          throw new Error('rtmp://host/live/secret exploded');
        },
      },
    ]);
    expect(results).toEqual([
      { name: 'ok', kind: 'liveness', status: 'pass', message: 'fine' },
      { name: 'meh', kind: 'readiness', status: 'warn', message: 'slow' },
      { name: 'broken', kind: 'readiness', status: 'fail', message: 'the check itself failed' },
    ]);
  });

  it.each([
    ['running', 'healthy', 'pass'],
    ['stopped', 'unknown', 'pass'],
    ['starting', 'unknown', 'pass'],
    ['backoff', 'unhealthy', 'warn'],
    ['crashloop', 'unhealthy', 'fail'],
  ] as const)('a stream %s (%s) is a %s component', (state, health, status) => {
    expect(streamComponent('cam', state, 'running', health).status).toBe(status);
  });
});
