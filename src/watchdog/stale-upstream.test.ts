/**
 * drop-publisher aimed at the stale publisher upstream (issue 17), through the watchdog shell on a
 * fake clock: a relay of `live/mother` whose check probes that URL drops the DJ's publisher, not
 * our own session, and the stream leaves that input; `dropPublisher: output` keeps the old aim.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DropPublisherTarget, FailoverSpec } from '../domain/stream-spec.js';
import { ffprobeCheck, KEY, pipeline, watchdogHarness, type WatchdogHarness } from '../../test/helpers/watchdog-harness.js';

const S = 1_000;
const MOTHER = 'rtmp://127.0.0.1/live/mother';
const NEXT = 'rtmp://127.0.0.1/live/dj2';
let h: WatchdogHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const actions = (x: WatchdogHarness) => x.recoveries.flatMap((e) => (e.phase === 'action' ? [e.action] : []));

/** The relay, healthy on input 0 with the DJ and our session published; then the DJ freezes. */
async function frozenDj(mode: FailoverSpec['mode'], target?: DropPublisherTarget): Promise<WatchdogHarness> {
  const x = watchdogHarness([
    pipeline('relay', [MOTHER, NEXT], {
      rtmpServer: 'local',
      onUnhealthy: ['notify', 'drop-publisher'],
      failover: { mode, returnAfterMs: 600 * S, probeIntervalMs: 10 * S, probeTimeoutMs: 5 * S },
      stallTimeoutMs: 120 * S,
      checks: [ffprobeCheck('mother', 'relay', { settings: { url: MOTHER, expect: {} } })],
      ...(target !== undefined && { dropPublisher: { target } }),
    }),
  ]);
  h = x;
  x.server.publish('live', 'mother', 'dj');
  x.server.publish('live', `relay-${KEY}`, 'ours');
  await x.run(40_000);
  expect(x.supervisor.get('relay').status().health).toBe('healthy');
  x.probe('relay', 'mother').outcome = { ok: false, message: `${MOTHER}: timed out`, durationMs: 2_000 };
  return x;
}

describe('drop-publisher and a frozen DJ upstream', () => {
  it.each<[FailoverSpec['mode'], DropPublisherTarget | undefined]>([
    ['rotate', undefined],
    ['rotate', 'check'],
    ['rotate', 'input'],
    ['priority', undefined],
  ])('%s, target %s: the DJ on the checked input is dropped after the threshold, not our session, and the stream moves on', async (mode, target) => {
    const x = await frozenDj(mode, target);
    await x.run(29_000);
    expect(actions(x)).toEqual([]); // the check fails over through the ladder, not at once
    expect(x.supervisor.get('relay').activeInput).toBe(0);
    await x.run(6_000);
    expect(actions(x)).toEqual(['drop-publisher', 'next-input']);
    expect(x.server.drops.map((p) => p.clientId)).toEqual(['dj']);
    expect(x.server.publishers.map((p) => p.clientId)).toEqual(['ours']);
    expect(x.supervisor.get('relay').activeInput).toBe(1);
    expect(x.proc('relay').request.args).toContain(NEXT);
    expect(JSON.stringify([x.recoveries, x.notifications])).not.toContain(KEY);
  });

  it('dropPublisher: output drops our own session (the check fails the input over at once, as without a drop aimed at it)', async () => {
    const x = await frozenDj('rotate', 'output');
    await x.run(35_000);
    expect(x.supervisor.get('relay').activeInput).toBe(1);
    expect(x.server.drops.map((p) => p.clientId)).not.toContain('dj');
  });
});
