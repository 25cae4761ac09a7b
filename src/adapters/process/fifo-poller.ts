/**
 * Reads many quiet FIFOs on one shared beat instead of one wake-up per write. ffmpeg writes its
 * progress block once a second; a thousand streams read through sockets cost a thousand epoll
 * wake-ups, buffer allocations and stream callbacks a second. Here one timer wakes every
 * `pollMs`, and each FIFO gets one non-blocking read into one shared buffer.
 *
 * For pipes that write little and steadily (the progress pipe: ~300 bytes/s against a 64 KiB
 * pipe buffer, so a writer never blocks between beats). Bursty pipes (stderr may flood) stay on
 * sockets (fifo-io.ts). A reader is drained at once on request (`drain`), so a run's exit is not
 * held up to the next beat.
 */
import { closeSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import { openReadEnd, type FifoReader } from './fifo-io.js';
import { errnoCode } from '../error-details.js';

/** A pipe holds at most 64 KiB by default: one read takes everything it holds. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Reads per reader and beat, so a reader that never runs dry cannot hold the beat. */
const MAX_READS_PER_BEAT = 16;

class PolledReader implements FifoReader {
  private readonly decoder = new StringDecoder('utf8');
  private isClosed = false;
  private fd: number | undefined;

  constructor(
    fd: number,
    private readonly poller: FifoPoller,
    private readonly deliver: (text: string) => void,
    private readonly onClose: () => void,
  ) {
    this.fd = fd;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Reads everything the pipe holds now and sees EOF at once when no writer is left. */
  drain(): void {
    this.read(true);
  }

  /**
   * One beat's read: a short read took all the pipe held, so it stops there (reading on to see
   * an empty pipe would cost a failed read per pipe and beat); EOF is then seen on the next beat
   * or drain. `thorough` reads until the pipe is empty (EAGAIN) or closed (EOF).
   */
  read(thorough: boolean): void {
    const fd = this.fd;
    if (fd === undefined) return;
    const buffer = this.poller.buffer;
    for (let i = 0; i < MAX_READS_PER_BEAT; i += 1) {
      let bytes: number;
      try {
        bytes = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if (errnoCode(error) === 'EAGAIN') return; // empty, a writer still there
        this.close();
        return;
      }
      if (bytes === 0) {
        this.close();
        return;
      }
      const text = this.decoder.write(buffer.subarray(0, bytes));
      if (text.length > 0) this.deliver(text);
      if (this.fd !== fd) return; // the handler destroyed this reader
      if (bytes < buffer.length && !thorough) return; // took all it held
    }
  }

  destroy(): void {
    if (this.fd === undefined) return;
    this.read(true);
    this.close();
  }

  private close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    this.poller.forget(this);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    const rest = this.decoder.end();
    if (rest.length > 0) this.deliver(rest);
    // Asynchronous like a socket's 'close', so a caller never sees its reader closed mid-call.
    queueMicrotask(() => {
      this.isClosed = true;
      this.onClose();
    });
  }
}

export class FifoPoller {
  /** Shared by every reader: reads happen one at a time on the event loop. */
  readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly readers = new Set<PolledReader>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Pick<Clock, 'setTimer'>,
    private readonly pollMs: number,
  ) {
    if (!(pollMs > 0)) throw new RangeError(`a FIFO poll interval must be positive, got ${pollMs}`);
  }

  /**
   * Opens `file` for polled reading (as UTF-8 text). Undefined when the FIFO is missing or is not
   * a FIFO. Open it while a writer exists (see fifo-io.ts). `onClose` fires exactly once.
   */
  open(file: string, deliver: (text: string) => void, onClose: () => void): FifoReader | undefined {
    const fd = openReadEnd(file);
    if (fd === undefined) return undefined;
    const reader = new PolledReader(fd, this, deliver, onClose);
    this.readers.add(reader);
    this.timer ??= this.clock.setTimer(this.pollMs, () => this.beat());
    return reader;
  }

  /** Readers still polled. */
  get size(): number {
    return this.readers.size;
  }

  /** @internal a reader that closed leaves the beat */
  forget(reader: PolledReader): void {
    this.readers.delete(reader);
    if (this.readers.size === 0) {
      this.timer?.cancel();
      this.timer = undefined;
    }
  }

  private beat(): void {
    this.timer = undefined;
    for (const reader of [...this.readers]) reader.read(false);
    if (this.readers.size > 0) this.timer = this.clock.setTimer(this.pollMs, () => this.beat());
  }
}
