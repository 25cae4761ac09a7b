/** The machine a figure was measured on: CPU, cores, RAM, kernel, node, ffmpeg, nginx, PM2. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramMiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly ffmpeg: string;
  readonly nginx: string;
  readonly pm2: string;
}

function firstMatch(file: string, pattern: RegExp): string | undefined {
  try {
    return pattern.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** stdout + stderr of a command (nginx -v prints on stderr), or undefined when it cannot run. */
function commandOutput(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (result.error !== undefined) return undefined;
  return `${result.stdout}${result.stderr}`;
}

function pm2Version(): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/pm2/package.json'), 'utf8'));
    if (typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string') {
      return manifest.version;
    }
  } catch {
    // not installed
  }
  return 'not installed';
}

export function machineInfo(ffmpegPath = '/usr/bin/ffmpeg'): MachineInfo {
  const memKiB = Number(firstMatch('/proc/meminfo', /^MemTotal:\s+(\d+) kB/m) ?? Number.NaN);
  const ffmpeg = commandOutput(ffmpegPath, ['-hide_banner', '-version']);
  return {
    cpuModel: firstMatch('/proc/cpuinfo', /^model name\s*:\s*(.+)$/m) ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    ramMiB: Number.isFinite(memKiB) ? Math.round(memKiB / 1024) : Math.round(os.totalmem() / 2 ** 20),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ffmpeg: (ffmpeg && /version (\S+)/.exec(ffmpeg)?.[1]) ?? 'not found',
    nginx: /nginx version: nginx\/(\S+)/.exec(commandOutput('/usr/sbin/nginx', ['-v']) ?? '')?.[1] ?? 'not found',
    pm2: pm2Version(),
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.ramMiB} MiB RAM, ${m.kernel}, node ${m.node}, ffmpeg ${m.ffmpeg}, nginx ${m.nginx}, PM2 ${m.pm2}`;
}
