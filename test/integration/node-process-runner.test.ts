import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/adapters/ffmpeg/detect-capabilities.js';
import { bundledBinaryPath } from '../../src/adapters/ffmpeg/locate.js';
import { killAllGroupsSync, liveGroupIds, NodeProcessRunner } from '../../src/adapters/ffmpeg/node-process-runner.js';
import { supportsHttpOption, supportsOption } from '../../src/domain/ffmpeg-capabilities.js';
import type { ChildProcessHandle, ProcessExit, SpawnRequest } from '../../src/ports/process-runner.js';
import { parseProcStat, processAlive, processesInGroup } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const FAKE_FFMPEG = fileURLToPath(new URL('../fixtures/fake-ffmpeg.mjs', import.meta.url));
const runner = new NodeProcessRunner();

interface Run {
  handle: ChildProcessHandle;
  progress: () => string;
  stderr: () => string;
  exited: Promise<ProcessExit>;
  exitCalls: () => number;
}

function start(request: Partial<SpawnRequest> & { args: readonly string[] }): Run {
  let progress = '';
  let stderr = '';
  let exitCalls = 0;
  let resolveExit: (exit: ProcessExit) => void = () => undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    resolveExit = resolve;
  });
  const handle = runner.spawn(
    { command: FAKE_FFMPEG, progressPipe: true, ...request },
    {
      onProgress: (chunk) => {
        progress += chunk;
      },
      onStderr: (chunk) => {
        stderr += chunk;
      },
      onExit: (exit) => {
        exitCalls += 1;
        resolveExit(exit);
      },
    },
  );
  return { handle, progress: () => progress, stderr: () => stderr, exited, exitCalls: () => exitCalls };
}

/** Progress blocks as key → value maps. */
function blocks(progress: string): Array<Map<string, string>> {
  return progress
    .split(/progress=(?:continue|end)\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => new Map(block.trim().split('\n').map((line) => line.split('=', 2) as [string, string])));
}

const fakeArgs = (mode: string, ...extra: string[]): string[] => [
  '-hide_banner', '-nostats', '-progress', 'pipe:3', '-stats_period', '0.1', '-fake', mode,
  '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', ...extra, '-f', 'flv', 'rtmp://127.0.0.1:1/live/key',
];

const started: Run[] = [];
function track(run: Run): Run {
  started.push(run);
  return run;
}

afterEach(async () => {
  for (const run of started.splice(0)) {
    run.handle.signalGroup('SIGKILL');
    await run.exited;
  }
  expect(liveGroupIds()).toEqual([]);
});

describe('NodeProcessRunner with the fake ffmpeg', () => {
  it('delivers progress over fd 3 and a clean SIGINT stop (exit 255, progress=end)', async () => {
    const run = track(start({ args: fakeArgs('normal') }));
    expect(run.handle.pid).toBeGreaterThan(0);
    await waitFor(() => blocks(run.progress()).length >= 3, { timeoutMs: 5000, description: 'three progress blocks' });
    const first = blocks(run.progress())[0];
    expect([...(first?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['frame', 'fps', 'bitrate', 'total_size', 'out_time_us', 'out_time_ms', 'out_time', 'dup_frames', 'drop_frames', 'speed']),
    );
    run.handle.signalGroup('SIGINT');
    const exit = await run.exited;
    expect(exit).toEqual({ code: 255, signal: null });
    expect(run.progress().endsWith('progress=end\n')).toBe(true);
    expect(run.stderr()).toContain('Exiting normally, received signal 2.');
    expect(run.exitCalls()).toBe(1);
  });

  it('delivers stderr and the exit code of a process that fails at start', async () => {
    const run = track(start({ args: fakeArgs('exit-at-start') }));
    const exit = await run.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toContain('testsrc2=size=320x240:rate=25: No such file or directory');
    expect(run.progress()).toBe('');
  });

  it('adds SpawnRequest.env to the inherited environment', async () => {
    const run = track(start({ args: ['-hide_banner', '-progress', 'pipe:3'], env: { FAKE_FFMPEG_MODE: 'exit-at-start' } }));
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('No such file or directory');
  });

  it('works without a progress pipe', async () => {
    const run = track(start({ args: ['-fake', 'crash-after:0.2', '-stats_period', '0.05', '-i', 'x', 'out'], progressPipe: false }));
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toContain('Broken pipe');
    expect(run.stderr()).toMatch(/frame=\s*\d+/);
    expect(run.progress()).toBe('');
  });

  it('reports a missing binary as spawnError ENOENT, once, without throwing', async () => {
    let run: Run | undefined;
    expect(() => {
      run = start({ command: '/nonexistent/ffmpeg', args: ['-version'] });
    }).not.toThrow();
    if (run === undefined) throw new Error('unreachable');
    expect(run.handle.pid).toBeUndefined();
    const exit = await run.exited;
    expect(exit.code).toBeNull();
    expect(exit.signal).toBeNull();
    expect(exit.spawnError?.code).toBe('ENOENT');
    expect(exit.spawnError?.message).toContain('ENOENT');
    run.handle.signalGroup('SIGKILL'); // a no-op, never throws
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.exitCalls()).toBe(1);
  });

  it('reports a non-executable file as spawnError EACCES', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'streamwarden-runner-'));
    try {
      const file = path.join(dir, 'ffmpeg');
      writeFileSync(file, '#!/bin/sh\nexit 0\n');
      chmodSync(file, 0o644);
      const run = start({ command: file, args: [] });
      const exit = await run.exited;
      // root may execute files without any x bit? No: execve needs at least one x bit, even for root.
      expect(exit.spawnError?.code).toBe('EACCES');
      expect(run.handle.pid).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes UTF-8 split across chunks and delivers every byte before onExit', async () => {
    const script = `
      const euro = Buffer.from('€');
      const fs = require('node:fs');
      fs.writeSync(2, euro.subarray(0, 1));
      fs.writeSync(3, euro.subarray(0, 2));
      setTimeout(() => {
        fs.writeSync(2, euro.subarray(1));
        fs.writeSync(3, euro.subarray(2));
        fs.writeSync(2, 'x'.repeat(300000) + 'é');
        process.exit(3);
      }, 100);
    `;
    const run = track(start({ command: process.execPath, args: ['-e', script] }));
    expect(await run.exited).toEqual({ code: 3, signal: null });
    expect(run.progress()).toBe('€');
    expect(run.stderr()).toBe(`€${'x'.repeat(300000)}é`);
  });

  it('keeps progress flowing while stderr floods (including a 1 MB line without newline)', async () => {
    const run = track(start({ args: fakeArgs('flood-stderr') }));
    await waitFor(() => blocks(run.progress()).length >= 5 && run.stderr().length > 2_000_000, {
      timeoutMs: 10_000,
      description: 'progress blocks and over 2 MB of stderr',
    });
    run.handle.signalGroup('SIGKILL');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(run.stderr()).toContain('x'.repeat(1024 * 1024));
  });

  it('SIGKILL to the group leaves nothing behind in spawn-child mode', async () => {
    const run = track(start({ args: fakeArgs('spawn-child') }));
    const pid = run.handle.pid;
    if (pid === undefined) throw new Error('no pid');
    const childPid = Number(
      (await waitFor(() => /spawned child pid (\d+)/.exec(run.stderr())?.[1], { timeoutMs: 5000, description: 'the child pid' })),
    );
    expect(processesInGroup(pid).map((p) => p.pid).sort()).toEqual([pid, childPid].sort());
    run.handle.signalGroup('SIGKILL');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Nothing alive is left; an orphaned zombie is dead and is pid 1's to reap.
    await waitFor(() => processesInGroup(pid, { includeZombies: false }).length === 0, {
      timeoutMs: 5000,
      description: `process group ${pid} to have no live members`,
    });
    expect(processAlive(childPid)).toBe(false);
  });

  it('reaps what the leader left behind when it exits on its own', async () => {
    const run = track(start({ args: fakeArgs('spawn-child', '-t', '0.5') }));
    const pid = run.handle.pid;
    if (pid === undefined) throw new Error('no pid');
    await waitFor(() => processesInGroup(pid).length === 2, { timeoutMs: 5000, description: 'leader and child' });
    // The child holds stderr and fd 3 open; without the group kill onExit would never fire.
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.progress().endsWith('progress=end\n')).toBe(true);
    await waitFor(() => processesInGroup(pid, { includeZombies: false }).length === 0, {
      timeoutMs: 5000,
      description: `process group ${pid} to have no live members`,
    });
  });

  it('ignore-sigint: SIGINT is ignored, SIGTERM stops it', async () => {
    const run = track(start({ args: fakeArgs('ignore-sigint') }));
    await waitFor(() => blocks(run.progress()).length >= 1, { timeoutMs: 5000, description: 'first progress' });
    run.handle.signalGroup('SIGINT');
    await waitFor(() => run.stderr().includes('ignoring'), { timeoutMs: 5000, description: 'SIGINT to be ignored' });
    expect(run.exitCalls()).toBe(0);
    run.handle.signalGroup('SIGTERM');
    expect(await run.exited).toEqual({ code: 255, signal: null });
  });

  it('ignore-sigint-sigterm: only SIGKILL stops it', async () => {
    const run = track(start({ args: fakeArgs('ignore-sigint-sigterm') }));
    await waitFor(() => blocks(run.progress()).length >= 1, { timeoutMs: 5000, description: 'first progress' });
    run.handle.signalGroup('SIGINT');
    run.handle.signalGroup('SIGTERM');
    await waitFor(() => (run.stderr().match(/ignoring/g) ?? []).length === 2, { timeoutMs: 5000, description: 'both signals ignored' });
    expect(run.exitCalls()).toBe(0);
    run.handle.signalGroup('SIGKILL');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('SIGSTOP / SIGCONT pause and resume progress', async () => {
    const run = track(start({ args: fakeArgs('normal') }));
    await waitFor(() => blocks(run.progress()).length >= 1, { timeoutMs: 5000, description: 'first progress' });
    run.handle.signalGroup('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const paused = run.progress().length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(run.progress().length).toBe(paused);
    run.handle.signalGroup('SIGCONT');
    await waitFor(() => run.progress().length > paused, { timeoutMs: 5000, description: 'progress after SIGCONT' });
  });

  it('stall-after stops progress; frozen-progress-after keeps blocks but freezes counters', async () => {
    const stall = track(start({ args: fakeArgs('stall-after:0.3') }));
    const frozen = track(start({ args: fakeArgs('frozen-progress-after:0.3') }));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const stallBlocks = blocks(stall.progress()).length;
    const frozenBlocks = blocks(frozen.progress());
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(blocks(stall.progress()).length).toBe(stallBlocks);
    const later = blocks(frozen.progress());
    expect(later.length).toBeGreaterThan(frozenBlocks.length);
    expect(later.at(-1)?.get('frame')).toBe(frozenBlocks.at(-1)?.get('frame'));
    expect(later.at(-1)?.get('out_time_us')).toBe(frozenBlocks.at(-1)?.get('out_time_us'));
  });

  it('killAllGroupsSync SIGKILLs every live group', async () => {
    const a = track(start({ args: fakeArgs('ignore-sigint-sigterm') }));
    const b = track(start({ args: fakeArgs('spawn-child') }));
    await waitFor(() => a.progress() !== '' && b.stderr().includes('spawned child'), { timeoutMs: 5000, description: 'both running' });
    expect(liveGroupIds().sort()).toEqual([a.handle.pid, b.handle.pid].sort());
    expect(killAllGroupsSync()).toBe(2);
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await b.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('fake ffmpeg answers capability detection', () => {
  it('parses -version and -h long', async () => {
    const capabilities = await detectCapabilities(FAKE_FFMPEG);
    expect(capabilities.version).toBe('0.0-fake');
    expect(supportsOption(capabilities, 'stats_period')).toBe(true);
  });
});

const systemFfmpeg = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
describe.skipIf(systemFfmpeg === undefined)('detectCapabilities on real binaries', () => {
  it('detects the system ffmpeg', async () => {
    const capabilities = await detectCapabilities(systemFfmpeg ?? 'ffmpeg');
    expect(capabilities.version).not.toBe('unknown');
    expect(supportsOption(capabilities, 'progress')).toBe(true);
    expect(supportsHttpOption(capabilities, 'reconnect_delay_max')).toBe(true);
  });

  const bundled = bundledBinaryPath('ffmpeg');
  it.skipIf(bundled === undefined)('detects the bundled ffmpeg, which lacks -stats_period', async () => {
    const capabilities = await detectCapabilities(bundled ?? '');
    expect(capabilities.version).toMatch(/static/);
    expect(supportsOption(capabilities, 'stats_period')).toBe(false);
    // It has no `-h protocol=http`: the http options come from `-h full`.
    expect(supportsHttpOption(capabilities, 'reconnect_streamed')).toBe(true);
  });
});

describe('parseProcStat', () => {
  it('reads the fields after the last parenthesis, whatever the command name holds', () => {
    const line = '4242 (evil) (name 1 2) S 17 4242 4242 0 -1 4194560 120 0 0 0 1 0 0 0 20 0 1 0 1234 5678 90\n';
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'evil) (name 1 2', state: 'S', ppid: 17, pgrp: 4242, session: 4242 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

afterAll(() => {
  killAllGroupsSync();
});
