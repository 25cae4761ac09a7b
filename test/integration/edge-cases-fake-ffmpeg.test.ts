/**
 * The stream supervisor against the fake ffmpeg (test/fixtures/fake-ffmpeg.mjs) through the real
 * NodeProcessRunner and the system clock: crashes, stalls, frozen counters, processes that ignore
 * stop signals, helpers left in the group, stderr floods, failures to start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamSupervisor } from '../../src/supervisor/stream-supervisor.js';
import { processAlive, processesInGroup } from '../helpers/proc.js';
import { FAKE_CAPABILITIES, FAKE_FFMPEG, startHarness, timed, type Harness } from '../helpers/supervisor-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERRUPT_GRACE_MS = 1_000;
const TERMINATE_GRACE_MS = 1_000;
const STALL_TIMEOUT_MS = 2_000;

/** One stream running the fake in `mode`; progress every 0.2 s (the last -stats_period wins). */
function fakeStreamYaml(mode: string, overrides: { stallTimeout?: string } = {}): string {
  const args = [
    '-stats_period', '0.2', '-fake', mode, '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-f', 'flv', 'rtmp://127.0.0.1:1/live/edge-key',
  ];
  return `
streams:
  - id: edge
    args: ${JSON.stringify(args)}
    startTimeout: 5s
    stallTimeout: ${overrides.stallTimeout ?? `${STALL_TIMEOUT_MS}ms`}
    stop: { interruptGrace: ${INTERRUPT_GRACE_MS}ms, terminateGrace: ${TERMINATE_GRACE_MS}ms }
`;
}

let current: Harness | undefined;

function start(mode: string, options: { stallTimeout?: string; ffmpegPath?: string } = {}): { h: Harness; stream: StreamSupervisor } {
  const h = startHarness(fakeStreamYaml(mode, options), {
    ffmpegPath: options.ffmpegPath ?? FAKE_FFMPEG,
    capabilities: FAKE_CAPABILITIES,
  });
  current = h;
  h.supervisor.startDesired();
  return { h, stream: h.stream('edge') };
}

async function waitRunning(h: Harness, stream: StreamSupervisor, from = 0): Promise<number> {
  await h.waitForEvent('state', (e) => e.to === 'running', { from, description: 'the stream to be running', timeoutMs: 10_000 });
  const pid = stream.status().pid;
  if (pid === undefined) throw new Error('a running stream has no pid');
  return pid;
}

afterEach(async () => {
  const h = current;
  current = undefined;
  await h?.close();
});

describe('stream supervisor with the fake ffmpeg and the real process runner', () => {
  it('crash-after:1 → exited, restarted at once as a new process', async () => {
    const { h, stream } = start('crash-after:1');
    const firstPid = await waitRunning(h, stream);

    const finished = await h.waitForEvent('run-finished', () => true, { description: 'the crash', timeoutMs: 10_000 });
    expect(finished).toMatchObject({ pid: firstPid, reason: 'exited', exitCode: 1, signal: null, next: 'starting', restartDelayMs: 0 });
    expect(finished.lastError).toContain('Broken pipe');

    const second = await h.waitForEvent('run-started', (e) => e.runId === finished.runId + 1, { description: 'the restart' });
    expect(second.pid).toBeDefined();
    expect(second.pid).not.toBe(firstPid);
    expect(second.at - finished.at).toBeLessThan(1_000); // immediate, not a backoff
    expect(stream.restartsFor('exited')).toBeGreaterThanOrEqual(1);
    expect(processesInGroup(firstPid)).toEqual([]);
  });

  it.each([
    ['frozen-progress-after:1', 'blocks keep coming but the counters freeze'],
    ['stall-after:1', 'progress stops altogether'],
  ])('%s (%s) → stalled: SIGKILLed after the stall timeout and restarted', async (mode) => {
    const { h, stream } = start(mode);
    const firstPid = await waitRunning(h, stream);

    const finished = await h.waitForEvent('run-finished', () => true, { description: 'the stall', timeoutMs: 15_000 });
    expect(finished).toMatchObject({ pid: firstPid, reason: 'stalled', signal: 'SIGKILL', next: 'starting', restartDelayMs: 0 });
    // It ran ~1 s with progress, then STALL_TIMEOUT_MS without.
    expect(finished.durationMs).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS);

    const states = h.count('state');
    const second = await h.waitForEvent('run-started', (e) => e.runId === finished.runId + 1, { description: 'the restart' });
    expect(second.pid).not.toBe(firstPid);
    await waitRunning(h, stream, states);
    expect(stream.status().pid).toBe(second.pid);
    expect(processesInGroup(firstPid)).toEqual([]);
  });

  it('ignore-sigint: stop escalates to SIGTERM after the interrupt grace', async () => {
    const { h, stream } = start('ignore-sigint');
    const pid = await waitRunning(h, stream);

    const { ms } = await timed(stream.stop());
    expect(ms).toBeGreaterThanOrEqual(INTERRUPT_GRACE_MS - 50);
    expect(ms).toBeLessThan(INTERRUPT_GRACE_MS + TERMINATE_GRACE_MS); // SIGTERM was enough
    const finished = h.events('run-finished').at(-1);
    expect(finished).toMatchObject({ pid, reason: 'stopped', exitCode: 255, signal: null, next: 'stopped' });
    expect(stream.logs().join('\n')).toContain('Received SIGINT, ignoring it');
    expect(stream.status()).toMatchObject({ state: 'stopped', desired: 'stopped', pid: undefined });
    expect(processesInGroup(pid)).toEqual([]);
  });

  it('ignore-sigint-sigterm: stop escalates to SIGKILL after both graces', async () => {
    const { h, stream } = start('ignore-sigint-sigterm');
    const pid = await waitRunning(h, stream);

    const { ms } = await timed(stream.stop());
    expect(ms).toBeGreaterThanOrEqual(INTERRUPT_GRACE_MS + TERMINATE_GRACE_MS - 50);
    const finished = h.events('run-finished').at(-1);
    expect(finished).toMatchObject({ pid, reason: 'stopped', exitCode: null, signal: 'SIGKILL', next: 'stopped' });
    const logs = stream.logs().join('\n');
    expect(logs).toContain('Received SIGINT, ignoring it');
    expect(logs).toContain('Received SIGTERM, ignoring it');
    expect(processesInGroup(pid)).toEqual([]);
  });

  it('spawn-child: stop leaves nothing in the process group, the helper included', async () => {
    const { h, stream } = start('spawn-child');
    const pid = await waitRunning(h, stream);
    const childPid = Number(
      await waitFor(() => /spawned child pid (\d+)/.exec(stream.logs().join('\n'))?.[1], {
        timeoutMs: 5_000,
        description: 'the fake to print its child pid',
      }),
    );
    expect(processesInGroup(pid).map((p) => p.pid).sort()).toEqual([pid, childPid].sort());

    await stream.stop();
    expect(h.events('run-finished').at(-1)).toMatchObject({ pid, reason: 'stopped', next: 'stopped' });
    // The leader is reaped by us; an orphaned helper's zombie is pid 1's to reap, so count live ones.
    await waitFor(() => processesInGroup(pid, { includeZombies: false }).length === 0, {
      timeoutMs: 5_000,
      description: `process group ${pid} to have no live member`,
    });
    expect(processAlive(childPid)).toBe(false);
  });

  it('flood-stderr: keeps running, logs stay bounded, memory does not grow without bound', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    // Stderr writes block on a full pipe, as ffmpeg's do: the flood runs as fast as we read.
    const { h, stream } = start('flood-stderr', { stallTimeout: '5s' });
    await waitRunning(h, stream);
    // About 5 s of flooding, measured by the fake's own output clock (not a sleep).
    await waitFor(
      () => {
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
        return (stream.status().progress?.outTimeSeconds ?? 0) >= 5;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: '5 s of output while stderr floods' },
    );

    const status = stream.status();
    const ended = stream.runs().filter((run) => run.reason !== undefined);
    const why = ended.map((run) => `${run.reason}: ${run.lastLines.filter((line) => !line.includes('junk')).slice(-12).join(' | ')}`);
    expect(h.events('run-finished'), why.join('\n')).toEqual([]);
    expect(status.state).toBe('running');
    expect(status.restarts).toBe(0);
    expect(status.progress?.frames).toBeGreaterThan(0);

    const logs = stream.logs();
    expect(logs.length).toBeGreaterThanOrEqual(100); // the ring is full of flood lines…
    expect(logs.length).toBeLessThanOrEqual(200); // …and holds no more than its size
    for (const line of logs) expect(line.length).toBeLessThanOrEqual(2_001);
    expect(logs.at(-1)).toMatch(/junk/);
    const [run] = stream.runs();
    // The 1 MB line without a newline came first: kept, cut at the cap, marked as truncated.
    const truncated = run?.firstLines.find((line) => line.startsWith('xxxx'));
    expect(truncated?.endsWith('…')).toBe(true);
    expect(truncated?.length).toBeLessThanOrEqual(2_001);
    for (const line of [...(run?.firstLines ?? []), ...(run?.lastLines ?? [])]) expect(line.length).toBeLessThanOrEqual(2_001);
    if (status.lastError !== undefined) expect(status.lastError.length).toBeLessThanOrEqual(2_001);

    const growthMb = (rssMax - rssBefore) / 1024 / 1024;
    expect(growthMb, `RSS grew by ${growthMb.toFixed(1)} MB while ffmpeg flooded stderr`).toBeLessThan(200);
  });

  it('exit-at-start: failed-to-start, with the error line captured', async () => {
    const { h, stream } = start('exit-at-start');
    const finished = await h.waitForEvent('run-finished', () => true, { description: 'the first run to end' });
    expect(finished).toMatchObject({ reason: 'failed-to-start', exitCode: 1, signal: null, next: 'starting', restartDelayMs: 0 });
    expect(finished.lastError).toContain('No such file or directory');
    expect(stream.status().lastError).toContain('No such file or directory');
    expect(stream.runs().find((run) => run.runId === finished.runId)?.lastError).toContain('No such file or directory');
    // Failing again: the second restart waits in backoff.
    const next = await h.waitForEvent('run-finished', (e) => e.runId === finished.runId + 1, { description: 'the second failure' });
    expect(next).toMatchObject({ reason: 'failed-to-start', next: 'backoff' });
    expect(stream.observed).toBe('backoff');
  });

  it('a missing ffmpeg binary: failed-to-start with ENOENT, and a stop from backoff', async () => {
    const { h, stream } = start('normal', { ffmpegPath: '/nonexistent/streamwarden-test/ffmpeg' });
    const finished = await h.waitForEvent('run-finished', () => true, { description: 'the spawn failure' });
    expect(finished).toMatchObject({ reason: 'failed-to-start', pid: undefined, exitCode: null, signal: null });
    expect(finished.lastError).toContain('ENOENT');
    expect(stream.status().lastError).toContain('ENOENT');
    expect(h.events('run-started')[0]?.pid).toBeUndefined();
    await h.waitForEvent('state', (e) => e.to === 'backoff', { description: 'a backoff after the second failure' });
    await stream.stop();
    expect(stream.status()).toMatchObject({ state: 'stopped', desired: 'stopped' });
  });
});
