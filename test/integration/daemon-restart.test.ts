/**
 * Surviving restarts, end to end: the real daemon CLI (`node bin/streamwarden.js run`, built
 * dist/) supervising real ffmpeg publishers into a real nginx-rtmp. The daemon is `kill -9`ed;
 * its ffmpeg processes (FIFO runner, named pipes beside the store) keep publishing; a new daemon
 * re-attaches to the very same pids, still watches their progress (a SIGSTOP is a stall and is
 * recovered), and a SIGTERM stops everything. Then the reboot case, simulated by rewriting the
 * stored boot id: the stored pids are never signalled and the streams start fresh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StreamDto } from '../../src/http/stream-dto.js';
import { findNginxRtmp, freePort, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { killGroups, processAlive, processesInGroup, readProcStat } from '../helpers/proc.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, ROOT } from '../helpers/built-cli.js';
import { daemonConfigHead } from '../helpers/daemon-process.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const nginxPath = findNginxRtmp();
const APP = 'live';


interface DaemonProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const daemons: DaemonProcess[] = [];
/** Every ffmpeg process group seen: cleanup kills whatever is left in them. */
const groups = new Set<number>();

function startDaemon(configPath: string, port: number): DaemonProcess {
  const child = spawn(process.execPath, [CLI, 'run', '--config', configPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: string): void => {
    if (output.length < 512 * 1024) output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const daemon = { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
  daemons.push(daemon);
  return daemon;
}

function isRunning(daemon: DaemonProcess): boolean {
  return daemon.child.exitCode === null && daemon.child.signalCode === null;
}

async function listStreams(daemon: DaemonProcess): Promise<StreamDto[] | undefined> {
  try {
    const response = await fetch(`${daemon.url}/api/v1/streams`, { signal: AbortSignal.timeout(2_000) });
    if (response.status !== 200) return undefined;
    return (await response.json()) as StreamDto[];
  } catch {
    return undefined; // not listening yet
  }
}

/** Waits until every id runs with a pid (and `accept` agrees); returns id → pid. */
async function waitForRunning(
  daemon: DaemonProcess,
  ids: readonly string[],
  description: string,
  accept: (stream: StreamDto) => boolean = () => true,
): Promise<Map<string, number>> {
  return waitFor(
    async () => {
      if (!isRunning(daemon)) throw new Error(`the daemon exited early:\n${daemon.output().slice(-4_000)}`);
      const list = await listStreams(daemon);
      if (list === undefined) return undefined;
      const pids = new Map<string, number>();
      for (const id of ids) {
        const stream = list.find((s) => s.id === id);
        if (stream?.state !== 'running' || stream.pid === null || !accept(stream)) return undefined;
        pids.set(id, stream.pid);
      }
      for (const pid of pids.values()) groups.add(pid);
      return pids;
    },
    { timeoutMs: 30_000, intervalMs: 100, description },
  );
}

async function stopDaemon(daemon: DaemonProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 20_000);
  const result = await daemon.exited;
  clearTimeout(timer);
  return result;
}

function liveInGroup(pgid: number): number[] {
  return processesInGroup(pgid, { includeZombies: false }).map((p) => p.pid);
}

describe.skipIf(ffmpegPath === undefined || nginxPath === undefined)('the daemon survives restarts (real ffmpeg, nginx-rtmp)', () => {
  let nginx: NginxRtmp | undefined;
  let tempDir: string;

  beforeAll(async () => {
    tempDir = mkdtempSync(path.join(tmpdir(), 'streamwarden-restart-'));
    nginx = await startNginxRtmp(nginxPath === undefined ? {} : { nginxPath });
  });

  afterAll(async () => {
    await nginx?.stop();
    rmSync(tempDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const daemon of daemons.splice(0)) {
      if (isRunning(daemon)) daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    killGroups(groups);
    groups.clear();
  });

  function server(): NginxRtmp {
    if (nginx === undefined) throw new Error('nginx not started');
    return nginx;
  }

  function config(dir: string, port: number, streams: readonly { id: string; output: readonly string[] }[]): string {
    const file = path.join(dir, 'streamwarden.yaml');
    const yaml = streams
      .map(({ id, output }) => {
        const args = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', ...output];
        return `
  - id: ${id}
    args: ${JSON.stringify(args)}
    startTimeout: 20s
    stallTimeout: 3s
    stop: { interruptGrace: 2s, terminateGrace: 2s }
`;
      })
      .join('');
    writeFileSync(
      file,
      `
${daemonConfigHead({ port, store: path.join(dir, 'streamwarden.db'), ffmpeg: ffmpegPath ?? 'ffmpeg' })}
streams:${yaml}`,
    );
    return file;
  }

  async function publishing(): Promise<Set<string>> {
    return new Set((await server().publishers(APP)).filter((p) => p.active).map((p) => p.name));
  }

  it('kill -9 of the daemon: ffmpeg keeps publishing, the next daemon adopts the same pids and still recovers a stall', async () => {
    const dir = mkdtempSync(path.join(tempDir, 'adopt-'));
    const port = await freePort();
    const ids = ['cam-a', 'cam-b', 'cam-c'] as const;
    const file = config(
      dir,
      port,
      ids.map((id) => ({ id, output: ['-f', 'flv', server().rtmpUrl(APP, id)] })),
    );

    const first = startDaemon(file, port);
    const pids = await waitForRunning(first, ids, 'the first daemon to run cam-a, cam-b and cam-c');
    for (const id of ids) await server().waitForPublishing(APP, id, { timeoutMs: 20_000, active: true });

    // kill -9: nothing runs in the daemon any more; nginx must see all three publishing throughout.
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await first.exited;
    const gaps: string[] = [];
    let polls = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const names = await publishing();
        polls += 1;
        for (const id of ids) if (!names.has(id)) gaps.push(`${id} not publishing ${Date.now() - killedAt} ms after the kill`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    // A real gap: the daemon stays down for two seconds.
    await waitFor(() => Date.now() - killedAt >= 2_000 && polls >= 5, { timeoutMs: 10_000, description: 'two seconds of nginx polls without a daemon' });
    for (const pid of pids.values()) expect(processAlive(pid)).toBe(true);

    const second = startDaemon(file, port);
    const adopted = await waitForRunning(second, ids, 'the second daemon to report cam-a, cam-b and cam-c running');
    for (const id of ids) expect(adopted.get(id), `${id} keeps its pid`).toBe(pids.get(id));
    // Progress is still read (through the named pipes): frames advance under the new daemon.
    const before = new Map((await listStreams(second) ?? []).map((s) => [s.id, s.progress.frames ?? 0]));
    await waitForRunning(second, ids, 'the adopted runs to report advancing frames', (s) => (s.progress.frames ?? 0) > (before.get(s.id) ?? 0));
    watching = false;
    await watcher;
    expect(gaps).toEqual([]);
    expect(polls).toBeGreaterThanOrEqual(5);

    // SIGSTOP one adopted ffmpeg: a stall (3 s), recovered by a new process that publishes.
    const frozen = pids.get('cam-b');
    if (frozen === undefined) throw new Error('no pid for cam-b');
    const oldClient = (await server().publishers(APP)).find((p) => p.name === 'cam-b')?.clientId;
    process.kill(frozen, 'SIGSTOP');
    const recovered = await waitForRunning(second, ['cam-b'], 'cam-b to run again with a new pid', (s) => s.pid !== frozen);
    const newPid = recovered.get('cam-b');
    expect(newPid).not.toBe(frozen);
    await waitFor(
      async () => (await server().publishers(APP)).find((p) => p.name === 'cam-b' && p.active && p.clientId !== oldClient),
      { timeoutMs: 30_000, intervalMs: 100, description: 'nginx to list cam-b published by a new connection' },
    );
    expect(liveInGroup(frozen)).toEqual([]);
    for (const id of ['cam-a', 'cam-c']) expect((await listStreams(second))?.find((s) => s.id === id)?.pid).toBe(pids.get(id));

    // A clean stop stops the adopted runs and the new one alike.
    const result = await stopDaemon(second);
    expect(result.code, second.output().slice(-4_000)).toBe(0);
    await waitFor(() => [...groups].every((pgid) => liveInGroup(pgid).length === 0), {
      timeoutMs: 10_000,
      description: 'every ffmpeg process group to be empty after SIGTERM',
    });
  });

  it('a changed boot id voids the stored runs: their processes are never signalled, the streams start fresh', async () => {
    const dir = mkdtempSync(path.join(tempDir, 'reboot-'));
    const port = await freePort();
    const ids = ['reboot-a', 'reboot-b'] as const;
    // No nginx here: the fresh processes run beside the old ones without a duplicate publisher.
    const file = config(
      dir,
      port,
      ids.map((id) => ({ id, output: ['-f', 'null', '-'] })),
    );

    const first = startDaemon(file, port);
    const oldPids = await waitForRunning(first, ids, 'the first daemon to run both streams');
    // The runtime rows are written fire-and-forget: wait until both are stored.
    const dbPath = path.join(dir, 'streamwarden.db');
    await waitFor(
      () => {
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare('SELECT COUNT(*) AS n FROM runtime').get() as { n: number }).n === ids.length;
        } finally {
          db.close();
        }
      },
      { timeoutMs: 10_000, description: 'both runtime rows to be stored' },
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const db = new Database(dbPath, { fileMustExist: true });
    try {
      const changed = db.prepare("UPDATE runtime SET boot_id = 'a-boot-long-gone'").run();
      expect(changed.changes).toBe(ids.length);
    } finally {
      db.close();
    }

    const second = startDaemon(file, port);
    const fresh = await waitForRunning(second, ids, 'the second daemon to run both streams with new processes', (s) => s.pid !== oldPids.get(s.id));
    // The old processes were left alone: alive, not stopped, still running ffmpeg.
    for (const [id, pid] of oldPids) {
      const stat = readProcStat(pid);
      expect(stat, `${id}'s old process ${pid} still exists`).toBeDefined();
      expect(stat?.state, `${id}'s old process is neither stopped nor a zombie`).not.toMatch(/^[TtZ]$/);
      expect(fresh.get(id)).not.toBe(pid);
    }

    const result = await stopDaemon(second);
    expect(result.code, second.output().slice(-4_000)).toBe(0);
    for (const pid of fresh.values()) {
      await waitFor(() => liveInGroup(pid).length === 0, { timeoutMs: 10_000, description: `the fresh group ${pid} to be empty` });
    }
    // The daemon did not stop them: the old processes are still there, and ours to kill.
    for (const pid of oldPids.values()) expect(processAlive(pid)).toBe(true);
  });
  it('a stream removed while the daemon was down: its stray ffmpeg is stopped, the others are adopted', async () => {
    const dir = mkdtempSync(path.join(tempDir, 'removed-'));
    const port = await freePort();
    const both = [
      { id: 'kept', output: ['-f', 'null', '-'] },
      { id: 'removed', output: ['-f', 'null', '-'] },
    ];
    const file = config(dir, port, both);
    const first = startDaemon(file, port);
    const pids = await waitForRunning(first, ['kept', 'removed'], 'the first daemon to run both streams');
    const dbPath = path.join(dir, 'streamwarden.db');
    await waitFor(
      () => {
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare('SELECT COUNT(*) AS n FROM runtime').get() as { n: number }).n === 2;
        } finally {
          db.close();
        }
      },
      { timeoutMs: 10_000, description: 'both runtime rows to be stored' },
    );
    first.child.kill('SIGKILL');
    await first.exited;

    config(dir, port, both.slice(0, 1));
    const second = startDaemon(file, port);
    const adopted = await waitForRunning(second, ['kept'], 'the second daemon to adopt the kept stream');
    expect(adopted.get('kept')).toBe(pids.get('kept'));
    const stray = pids.get('removed');
    if (stray === undefined) throw new Error('no pid for the removed stream');
    await waitFor(() => !processAlive(stray), { timeoutMs: 15_000, description: 'the removed stream\'s ffmpeg to be stopped' });
    expect(liveInGroup(stray)).toEqual([]);
    expect((await listStreams(second))?.map((s) => s.id)).toEqual(['kept']);

    const result = await stopDaemon(second);
    expect(result.code, second.output().slice(-4_000)).toBe(0);
  });
});
