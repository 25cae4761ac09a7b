import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeProcessRunner } from '../../test/fakes/fake-process-runner.js';
import { silentLogger } from '../../test/fakes/silent-logger.js';
import { streamSpec, SECRET } from '../../test/helpers/app-harness.js';
import { createRedactor } from '../domain/redact.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { TypedEvents } from './typed-events.js';
import type { WatchdogEventMap } from './watchdog-events.js';
import { EventJournal, type ApiEvent } from './event-journal.js';

function journal(capacity = 5, clock = new FakeClock()) {
  return new EventJournal({ clock, redact: createRedactor([SECRET]), capacity });
}

const parse = (event: ApiEvent | undefined): Record<string, unknown> => JSON.parse(event?.data ?? '{}') as Record<string, unknown>;

describe('EventJournal', () => {
  it('numbers events from the start time in microseconds, one by one, so a later daemon run uses higher ids', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const first = journal(5, clock);
    expect(first.lastId).toBe(1_700_000_000_000_000 - 1);
    const a = first.publish('state', 'cam', {});
    const b = first.publish('health', 'cam', {});
    expect([a.id, b.id]).toEqual([1_700_000_000_000_000, 1_700_000_000_000_001]);
    expect(Number.isSafeInteger(b.id)).toBe(true);
    clock.advance(1);
    expect(journal(5, clock).publish('state', 'cam', {}).id).toBeGreaterThan(b.id);
  });

  it('keeps a bounded ring and says whether a replay is complete', () => {
    const j = journal(3);
    const start = j.lastId;
    const ids = [1, 2, 3, 4, 5].map(() => j.publish('state', 'cam', {}).id);
    expect(j.since(ids[2] ?? 0)).toEqual({ events: [expect.objectContaining({ id: ids[3] }), expect.objectContaining({ id: ids[4] })], complete: true });
    // ids[1] is the newest event dropped: everything after it is still there.
    expect(j.since(ids[1] ?? 0).complete).toBe(true);
    expect(j.since(ids[0] ?? 0).complete).toBe(false);
    expect(j.since(start).complete).toBe(false);
    expect(j.since(j.lastId)).toEqual({ events: [], complete: true });
    expect(j.since(j.lastId + 10).complete).toBe(false);
  });

  it('serialises each event once, redacted, with its type and stream', () => {
    const j = journal();
    const event = j.publish('notification', 'cam', { message: `publishing to rtmp://h/live/${SECRET} failed`, key: SECRET });
    expect(parse(event)).toEqual({ type: 'notification', streamId: 'cam', message: 'publishing to rtmp://h/live/*** failed', key: '***' });
    expect(event.data).not.toContain('\n');
  });

  it('hands events to subscribers; one that throws does not stop the others', () => {
    const errors: unknown[] = [];
    const j = new EventJournal({ clock: new FakeClock(), redact: (t) => t, onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    j.subscribe(() => {
      throw new Error('boom');
    });
    const off = j.subscribe((e) => seen.push(e.id));
    const event = j.publish('state', 'cam', {});
    off();
    j.publish('state', 'cam', {});
    expect(seen).toEqual([event.id]);
    expect(errors).toHaveLength(2);
    expect(j.subscriberCount).toBe(1);
  });

  it('follows the supervisor: state and health changes, and a recovery for each automatic restart only', () => {
    const clock = new FakeClock();
    const runner = new FakeProcessRunner();
    const supervisor = new Supervisor([streamSpec('cam')], {
      clock,
      runner,
      ffmpeg: { path: 'ffmpeg', capabilities: { version: 'x', options: new Set() } },
      logger: silentLogger,
      redact: createRedactor([SECRET]),
      random: () => 0.5,
    });
    const j = journal(100, clock);
    j.follow(supervisor.events);
    supervisor.startDesired();
    clock.advance(1_000);
    runner.last.progress();
    runner.last.stderr(`Error writing to rtmp://127.0.0.1/live/cam-${SECRET}: Broken pipe\n`);
    runner.last.exit({ code: 1, signal: null });
    runner.last.progress();
    supervisor.get('cam').restart();
    runner.last.exit({ code: 255, signal: null });

    const events = j.since(0).events.map((e) => [e.type, parse(e)] as const);
    expect(events.map(([type, data]) => `${type}:${String(data.from ?? data.reason)}→${String(data.to ?? data.next)}`)).toEqual([
      'state:stopped→starting',
      'state:starting→running',
      'health:unknown→healthy',
      'recovery:exited→starting',
      'state:running→starting',
      'health:healthy→unknown',
      'state:starting→running',
      'health:unknown→healthy',
      'state:running→stopping',
      'health:healthy→unknown',
      'state:stopping→starting',
    ]);
    const recovery = events.find(([type]) => type === 'recovery')?.[1];
    expect(recovery).toEqual({
      type: 'recovery',
      streamId: 'cam',
      action: 'restart',
      runId: 1,
      reason: 'exited',
      exitCode: 1,
      signal: null,
      lastError: 'Error writing to rtmp://127.0.0.1/live/***: Broken pipe',
      next: 'starting',
      delaySeconds: 0,
      restartsInWindow: 1,
      at: new Date(clock.now()).toISOString(),
    });
    expect(JSON.stringify(j.since(0).events)).not.toContain(SECRET);
  });

  it('publishes the watchdog\'s actions and recorded recoveries as recovery events, and its notices, redacted', () => {
    const clock = new FakeClock();
    const j = journal(10, clock);
    const events = new TypedEvents<WatchdogEventMap>();
    j.followWatchdog(events);
    const at = clock.now();
    events.emit('recovery', { streamId: 'cam', phase: 'action', action: 'next-input', reason: 'input 0 failed', fromInput: 0, toInput: 1, at });
    events.emit('recovery', {
      streamId: 'cam',
      phase: 'recovered',
      at: at + 9_000,
      record: {
        stream: 'cam',
        cause: 'check-failed',
        locus: 'output',
        detail: `output: rtmp://127.0.0.1/live/cam-${SECRET}: Input/output error`,
        action: 'drop-publisher',
        actions: [{ type: 'drop-publisher', at: at + 1_000, reason: 'unhealthy for 30 s' }],
        failedAt: at - 30_000,
        detectedAt: at,
        detectedAfterMs: 30_000,
        recoveredAt: at + 9_000,
        recoveredAfterMs: 9_000,
      },
    });
    events.emit('notification', { streamId: 'cam', kind: 'unhealthy', severity: 'warning', title: 'cam is unhealthy', text: `key ${SECRET}`, notifiers: ['ops'], at });
    const [action, recovered, notice] = j.since(0).events;
    expect(action?.type).toBe('recovery');
    expect(parse(action)).toMatchObject({ layer: 'watchdog', phase: 'action', action: 'next-input', fromInput: 0, toInput: 1 });
    expect(parse(recovered)).toMatchObject({
      layer: 'watchdog',
      phase: 'recovered',
      action: 'drop-publisher',
      cause: 'check-failed',
      locus: 'output',
      detail: 'output: rtmp://127.0.0.1/live/***: Input/output error',
      detectedAfterSeconds: 30,
      recoveredAfterSeconds: 9,
    });
    expect(notice?.type).toBe('notification');
    expect(parse(notice)).toMatchObject({ kind: 'unhealthy', severity: 'warning', notifiers: ['ops'], text: 'key ***' });
    expect(JSON.stringify(j.since(0).events)).not.toContain(SECRET);
  });
});
