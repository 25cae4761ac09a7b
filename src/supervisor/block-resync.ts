/**
 * After a re-attach the pipe may deliver the middle of a progress block (even of a line): drop
 * everything up to the end of the first complete `progress=` line, so a partial block (missing
 * counters) is never taken for one. Bounded: only a short tail is kept while searching.
 */
export class BlockResync {
  private tail = '';
  private synced = false;

  /** The part of `chunk` that starts on a block boundary ('' while still searching). */
  accept(chunk: string): string {
    if (this.synced) return chunk;
    const text = this.tail + chunk;
    const match = /\nprogress=[^\n]*\n/.exec(text);
    if (!match) {
      this.tail = text.slice(-128);
      return '';
    }
    this.synced = true;
    this.tail = '';
    return text.slice(match.index + match[0].length);
  }
}
