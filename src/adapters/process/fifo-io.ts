/**
 * Opening the runner's named pipes: the child's end (read+write) and the daemon's read end.
 *
 * Why the child holds its FIFO open READ+WRITE: a pipe writer gets SIGPIPE/EPIPE only when no
 * reader is left. With its own fd open O_RDWR the child is itself a (never-reading) reader, so
 * when the daemon dies — even by SIGKILL — ffmpeg's writes keep succeeding: they go into the
 * pipe buffer until a new daemon opens the FIFO and drains it. The cost: if nobody reads for
 * long, the buffer (64 KiB by default; node cannot raise it, F_SETPIPE_SZ needs fcntl) fills and
 * ffmpeg blocks in write(2). ffmpeg writes ~250 B of `-progress` a second (with `-nostats`
 * stderr is nearly silent), so that is roughly four minutes of daemon downtime.
 *
 * The child's end is opened O_RDWR *without* O_NONBLOCK: on Linux opening a FIFO read+write
 * never blocks (fifo(7)), and O_NONBLOCK would live on the open file description that the child
 * inherits — ffmpeg would then see EAGAIN on a full pipe and drop (stderr) or spin (progress).
 *
 * The daemon's end is opened O_RDONLY|O_NONBLOCK (never blocks) and read through a net.Socket:
 * libuv watches it with epoll, no thread-pool reads. It must be opened while a writer exists
 * (our O_RDWR copy before spawn, or the live child on adopt): Linux suppresses the hang-up
 * (EOF) for a reader that opened a FIFO without writers until a writer comes and goes again.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';

const { O_RDONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW } = constants;

/** Opens `file` read+write for a child's stdio; throws when it is missing or not a FIFO. */
export function openChildEnd(file: string): number {
  const fd = openSync(file, O_RDWR | O_NOFOLLOW);
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw new Error(`${file} is not a named pipe`);
  }
  return fd;
}

export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export interface FifoReader {
  /** True once the reader closed (EOF, error or destroy) and its last bytes were delivered. */
  readonly closed: boolean;
  /** Stops reading and closes our end; `onClose` follows (asynchronously). Idempotent. */
  destroy(): void;
  /** Delivers what the pipe holds now (a reader that reads as data arrives has nothing to do). */
  drain(): void;
}

/** The daemon's read end of `file`, non-blocking; undefined when it is missing or not a FIFO. */
export function openReadEnd(file: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (fstatSync(fd).isFIFO()) return fd;
  } catch {
    // not readable as a file: treated as not a FIFO
  }
  closeQuietly(fd);
  return undefined;
}

/**
 * Reads `file` as UTF-8 text (a StringDecoder keeps multibyte characters split across chunks
 * intact). Undefined when the FIFO is missing or is not a FIFO. `onClose` fires exactly once.
 */
export function openFifoReader(
  file: string,
  deliver: (text: string) => void,
  onClose: () => void,
): FifoReader | undefined {
  const fd = openReadEnd(file);
  if (fd === undefined) return undefined;
  const socket = new net.Socket({ fd, readable: true, writable: false });
  const decoder = new StringDecoder('utf8');
  const state = { closed: false };
  socket.on('data', (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text.length > 0) deliver(text);
  });
  socket.on('error', () => {
    // 'close' follows and completes the reader.
  });
  socket.once('close', () => {
    const rest = decoder.end();
    if (rest.length > 0) deliver(rest);
    state.closed = true;
    onClose();
  });
  return {
    get closed(): boolean {
      return state.closed;
    },
    destroy(): void {
      socket.destroy();
    },
    drain(): void {
      // epoll already delivers as data arrives
    },
  };
}
