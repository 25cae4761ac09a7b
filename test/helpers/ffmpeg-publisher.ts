/**
 * Real ffmpeg publishers for integration tests: generated lavfi sources pushed to an RTMP URL
 * at real time, each in its own process group, stopped by group id.
 *
 *   const pub = startLavfiPublisher(ffmpeg, nginx.rtmpUrl('live', 'key'), 'black');
 *   await pub.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * - normal: moving test pattern + 440 Hz tone
 * - black: black picture + digital silence (black, frozen and silent)
 * - still: static colour bars + tone (frozen only)
 * - silent: moving test pattern + digital silence (silent only)
 * - video-only: moving test pattern, no audio
 */
export type LavfiSource = 'normal' | 'black' | 'still' | 'silent' | 'video-only';

const SOURCES: Readonly<Record<LavfiSource, readonly string[]>> = {
  normal: ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
  black: ['-f', 'lavfi', '-i', 'color=black:size=320x240:rate=25', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono'],
  still: ['-f', 'lavfi', '-i', 'smptebars=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
  silent: ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono'],
  'video-only': ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
};

export interface LavfiPublisher {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr(): string;
  /** Resolves with the exit code once ffmpeg has exited. */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** SIGKILL to the whole group; waits for the exit. */
  stop(): Promise<void>;
}

/** `gop`: frames between keyframes (25 fps), default 25 (one a second). */
export function startLavfiPublisher(ffmpegPath: string, url: string, source: LavfiSource = 'normal', options: { readonly gop?: number } = {}): LavfiPublisher {
  const audio = source === 'video-only' ? [] : ['-c:a', 'aac', '-b:a', '64k'];
  const child = spawn(
    ffmpegPath,
    [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning', '-re',
      ...SOURCES[source],
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(options.gop ?? 25), '-pix_fmt', 'yuv420p',
      ...audio,
      '-f', 'flv', url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`ffmpeg could not be started at ${ffmpegPath}`);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      done = true;
      resolve(code);
    }),
  );
  const kill = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  process.once('exit', kill);
  return {
    child,
    pid,
    stderr: () => stderr,
    exited,
    running: () => !done,
    stop: async () => {
      process.removeListener('exit', kill);
      kill();
      await exited;
    },
  };
}

/** The publishers one test file starts, stopped together (SIGSTOPped ones are resumed first). */
export interface PublisherPool {
  /** Starts a `normal` publisher to `urlOf(name)`. */
  publish(name: string): LavfiPublisher;
  /** SIGSTOPs the publisher's group: it stays connected, nothing flows (a frozen encoder). */
  freeze(publisher: LavfiPublisher): void;
  stopAll(): Promise<void>;
}

export function publisherPool(ffmpegPath: string, urlOf: (name: string) => string): PublisherPool {
  const started: LavfiPublisher[] = [];
  return {
    publish: (name) => {
      const publisher = startLavfiPublisher(ffmpegPath, urlOf(name), 'normal');
      started.push(publisher);
      return publisher;
    },
    freeze: (publisher) => process.kill(-publisher.pid, 'SIGSTOP'),
    stopAll: async () => {
      for (const publisher of started) {
        try {
          process.kill(-publisher.pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
      await Promise.all(started.splice(0).map((publisher) => publisher.stop()));
    },
  };
}
