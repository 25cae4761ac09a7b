import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { Publisher, RtmpServer } from '../ports/rtmp-server.js';
import { clearStaleSession, isAlreadyPublishingError, StaleSessionError } from './stale-session.js';

const TARGET = { app: 'live', name: 'secret-key' };

/** A server whose publisher list the test scripts; records every drop. */
class ScriptedServer implements RtmpServer {
  readonly id = 'local';
  readonly kind = 'nginx-rtmp' as const;
  sessions: Publisher[] = [];
  drops: string[] = [];
  looks = 0;
  /** What a drop does; default: removes the session. */
  onDrop: (p: Publisher) => boolean = (p) => {
    const before = this.sessions.length;
    this.sessions = this.sessions.filter((s) => s.clientId !== p.clientId);
    return this.sessions.length < before;
  };
  failLooks = 0;

  listPublishers(): Promise<Publisher[]> {
    return Promise.resolve([...this.sessions]);
  }
  findPublisher(app: string, name: string): Promise<Publisher | undefined> {
    this.looks += 1;
    if (this.failLooks > 0) {
      this.failLooks -= 1;
      return Promise.reject(new Error('connect ECONNREFUSED'));
    }
    return Promise.resolve(this.sessions.find((s) => s.app === app && s.name === name));
  }
  dropPublisher(p: Publisher): Promise<boolean> {
    this.drops.push(p.clientId);
    return Promise.resolve(this.onDrop(p));
  }
}

const session = (clientId: string): Publisher => ({ app: 'live', name: 'secret-key', clientId, bytesIn: 0 });

/** Lets the promise run, advancing the fake clock by `stepMs` whenever it waits. */
async function drive<T>(clock: FakeClock, promise: Promise<T>, stepMs = 50, maxSteps = 10_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let step = 0; step < maxSteps && !settled; step += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!settled) clock.advance(stepMs);
  }
  return promise;
}

describe('clearStaleSession', () => {
  it('returns at once when the name is free', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    await expect(drive(clock, clearStaleSession(server, TARGET, { clock }))).resolves.toEqual({ found: false, drops: 0, waitedMs: 0 });
    expect(server.drops).toEqual([]);
  });

  it('drops our old session and waits until the server no longer lists it', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.sessions = [session('7'), { ...session('8'), name: 'someone-else' }];
    // nginx-rtmp takes a moment: the session stays listed for 600 ms after the drop.
    server.onDrop = (p) => {
      clock.setTimer(600, () => (server.sessions = server.sessions.filter((s) => s.clientId !== p.clientId)));
      return true;
    };
    const outcome = await drive(clock, clearStaleSession(server, TARGET, { clock, pollMs: 100 }));
    expect(outcome.found).toBe(true);
    expect(outcome.drops).toBe(1);
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(600);
    expect(outcome.waitedMs).toBeLessThan(1_000);
    expect(server.drops).toEqual(['7']);
    expect(server.sessions.map((s) => s.name)).toEqual(['someone-else']);
  });

  it('drops again when the session is still there after redropAfterMs, and drops a new session at once', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.sessions = [session('7')];
    let calls = 0;
    server.onDrop = () => {
      calls += 1;
      if (calls === 1) return false; // lost: nginx answered 0
      if (calls === 2) {
        server.sessions = [session('9')]; // the old ffmpeg reconnected meanwhile
        return true;
      }
      server.sessions = [];
      return true;
    };
    const outcome = await drive(clock, clearStaleSession(server, TARGET, { clock, pollMs: 100, redropAfterMs: 1_000 }));
    expect(server.drops).toEqual(['7', '7', '9']);
    expect(outcome.drops).toBe(3);
  });

  it('in wait mode never drops, and waits the session out', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.sessions = [session('7')];
    clock.setTimer(2_000, () => (server.sessions = []));
    const outcome = await drive(clock, clearStaleSession(server, TARGET, { clock, mode: 'wait', pollMs: 250 }));
    expect(server.drops).toEqual([]);
    expect(outcome).toMatchObject({ found: true, drops: 0 });
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('gives up at the deadline with a StaleSessionError that does not name the key', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.sessions = [session('7')];
    server.onDrop = () => false;
    const started = clock.now();
    const error = await drive(clock, clearStaleSession(server, TARGET, { clock, timeoutMs: 3_000, pollMs: 200 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleSessionError);
    expect((error as StaleSessionError).code).toBe('STALE_SESSION');
    expect((error as Error).message).toContain('app "live"');
    expect((error as Error).message).not.toContain('secret-key');
    expect(clock.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(clock.now() - started).toBeLessThan(3_300);
    // 3 s with a re-drop every 2 s: the first drop and one more.
    expect(server.drops).toEqual(['7', '7']);
  });

  it('keeps looking through server errors until the deadline', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.failLooks = 3;
    const outcome = await drive(clock, clearStaleSession(server, TARGET, { clock, pollMs: 100 }));
    expect(outcome).toMatchObject({ found: false, drops: 0 });
    expect(server.looks).toBe(4);

    const down = new ScriptedServer();
    down.failLooks = Number.POSITIVE_INFINITY;
    const error = await drive(clock, clearStaleSession(down, TARGET, { clock, timeoutMs: 1_000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleSessionError);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('stops when aborted', async () => {
    const clock = new FakeClock();
    const server = new ScriptedServer();
    server.sessions = [session('7')];
    server.onDrop = () => false;
    const controller = new AbortController();
    const promise = clearStaleSession(server, TARGET, { clock, signal: controller.signal });
    clock.setTimer(500, () => controller.abort(new Error('stream stopped')));
    await expect(drive(clock, promise)).rejects.toThrow('stream stopped');
  });
});

describe('isAlreadyPublishingError', () => {
  it.each([
    ['[rtmp @ 0x55d] Server error: Already publishing', true],
    ['NetStream.Publish.BadName', true],
    ['Stream already exists', true],
    ['Connection refused', false],
    ['Input/output error', false],
  ])('%s → %s', (line, expected) => {
    expect(isAlreadyPublishingError(line)).toBe(expected);
  });
});
