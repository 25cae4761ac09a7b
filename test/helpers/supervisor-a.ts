/**
 * "Supervisor A": a daemon that dies. Run as its own node process (`node --import tsx
 * test/helpers/supervisor-a.ts ROOT FFMPEG YAML`), it supervises the streams of YAML through a
 * FifoProcessRunner in ROOT, prints every runtime entry the registry is told of as
 * `ENTRY <RuntimeEntry as JSON>` and `RUNNING <stream>` when a stream is running, then idles
 * until the test SIGKILLs it — its FIFO readers really go away with a process, and its ffmpegs
 * keep running.
 */
import { FifoProcessRunner } from '../../src/adapters/process/fifo-process-runner.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { loadConfigText } from '../../src/config/load.js';
import type { RuntimeEntry } from '../../src/ports/store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { FAKE_CAPABILITIES } from './supervisor-harness.js';

const [root, ffmpegPath, yaml] = process.argv.slice(2);
if (root === undefined || ffmpegPath === undefined || yaml === undefined) {
  process.stderr.write('usage: supervisor-a.ts ROOT FFMPEG YAML\n');
  process.exit(2);
}

const config = loadConfigText(yaml, {});
const supervisor = new Supervisor(config.streams, {
  clock: systemClock,
  runner: new FifoProcessRunner({ clock: systemClock, runtimeDir: root }),
  ffmpeg: { path: ffmpegPath, capabilities: FAKE_CAPABILITIES },
  logger: silentLogger,
  redact: (text) => text,
  random: Math.random,
  registry: {
    runStarted: ({ stream, runId, identity, specHash, startedAt }) => {
      const entry: RuntimeEntry = { stream, runId, ...identity, specHash, startedAt };
      process.stdout.write(`ENTRY ${JSON.stringify(entry)}\n`);
    },
    runEnded: (stream, pid) => process.stdout.write(`ENDED ${JSON.stringify({ stream, pid })}\n`),
  },
});
supervisor.events.on('state', (e) => {
  if (e.to === 'running') process.stdout.write(`RUNNING ${e.streamId}\n`);
});
supervisor.startDesired();

// Idle until killed (a forgotten one exits after 5 minutes; its streams keep running).
setTimeout(() => process.exit(3), 300_000);
