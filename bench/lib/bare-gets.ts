/**
 * The floor of a first polling round in Node on this machine: the same GETs as the poller sends,
 * to the same fake engines, on bare `net` sockets — no poller, no parser, no health — from a fresh
 * node process, so it is as cold as a daemon's first round. What it measures is how long starting
 * every poll takes at best; a first round cannot end before (that + the timeout), since the last
 * hung engine's poll ends only then.
 *
 * Run in a child process (this file with `--child`); the parent reads one JSON line.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export interface BareGetsOptions {
  readonly engines: number;
  readonly hangingRatio: number;
  readonly maxInFlight: number;
  readonly healthyPort: number;
  readonly hangPort: number;
}

export interface BareGetsResult {
  /** From the first connection to the start of the last one. */
  readonly lastStartMs: number;
  /** CPU time (user + system) per GET while starting them, in µs. */
  readonly cpuPerGetUs: number;
}

const REQUEST = 'GET /server/api?api_version=3&method=get_status HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n';
const STARTS_PER_TURN = 100;

export async function measureBareGets(options: BareGetsOptions): Promise<BareGetsResult> {
  const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--child', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the bare GET loop exited with ${code}: ${output}`);
  return JSON.parse(output) as BareGetsResult;
}

/** The child: every GET started as fast as the event loop allows, within the same in-flight bound. */
async function runChild(options: BareGetsOptions): Promise<BareGetsResult> {
  const everyHung = Math.round(1 / options.hangingRatio);
  const open = new Set<net.Socket>();
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  let next = 0;
  let lastStartMs = 0;
  let cpu = { user: 0, system: 0 };
  await new Promise<void>((resolve) => {
    let scheduled = false;
    const schedule = (): void => {
      if (scheduled || lastStartMs > 0) return;
      scheduled = true;
      setImmediate(pump);
    };
    // At most STARTS_PER_TURN per event-loop turn, like the poller; answers are read in between.
    const pump = (): void => {
      scheduled = false;
      let startedThisTurn = 0;
      while (open.size < options.maxInFlight && next < options.engines && startedThisTurn < STARTS_PER_TURN) {
        const socket = net.connect(next % everyHung === 0 ? options.hangPort : options.healthyPort, '127.0.0.1');
        next += 1;
        startedThisTurn += 1;
        open.add(socket);
        socket.write(REQUEST);
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('end', () => socket.destroy());
        socket.on('close', () => {
          open.delete(socket);
          schedule();
        });
      }
      if (next === options.engines) {
        lastStartMs = performance.now() - started;
        cpu = process.cpuUsage(cpuAtStart);
        resolve();
      } else if (startedThisTurn === STARTS_PER_TURN) {
        schedule();
      }
    };
    pump();
  });
  for (const socket of open) socket.destroy();
  return { lastStartMs: Math.round(lastStartMs), cpuPerGetUs: Math.round((cpu.user + cpu.system) / options.engines) };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly && process.argv[2] === '--child') {
  const result = await runChild(JSON.parse(process.argv[3] ?? '{}') as BareGetsOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
