/**
 * A stand-in for a daemon that dies: run as its own node process (`node --import tsx
 * test/helpers/fifo-spawner.ts ROOT COMMAND ARGS…`), it spawns COMMAND through a
 * FifoProcessRunner, waits for the first progress block, prints
 * `ENTRY {"identity": <RuntimeIdentity>, "frame": <last frame seen>}` on stdout and then idles
 * until the test SIGKILLs it — so the reader of the FIFOs really goes away with a process, not
 * with a closed socket.
 * If the spawned process exits first, it prints `EXIT <ProcessExit as JSON>` and exits 1.
 */
import { FifoProcessRunner } from '../../src/adapters/process/fifo-process-runner.js';
import { systemClock } from '../../src/adapters/system-clock.js';

const [root, command, ...args] = process.argv.slice(2);
if (root === undefined || command === undefined) {
  process.stderr.write('usage: fifo-spawner.ts ROOT COMMAND [ARGS…]\n');
  process.exit(2);
}

const runner = new FifoProcessRunner({ clock: systemClock, runtimeDir: root });
let announced = false;
const handle = runner.spawn(
  { command, args, progressPipe: true, runtimeLabel: 'spawner' },
  {
    onProgress: (chunk) => {
      if (announced || !chunk.includes('progress=')) return;
      announced = true;
      const frames = [...chunk.matchAll(/^frame=(\d+)$/gm)].map((m) => Number(m[1]));
      const frame = frames.length === 0 ? 0 : Math.max(...frames);
      process.stdout.write(`ENTRY ${JSON.stringify({ identity: handle.describe?.(), frame })}\n`);
    },
    onStderr: () => undefined,
    onExit: (exit) => {
      process.stdout.write(`EXIT ${JSON.stringify(exit)}\n`);
      process.exit(1);
    },
  },
);

// Idle until killed (the test's deadline bounds it; a forgotten spawner exits after 5 minutes).
setTimeout(() => process.exit(3), 300_000);
