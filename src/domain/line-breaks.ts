/* Line splitting shared by the progress parser and the stderr log: ffmpeg ends lines with `\n` or redraws them with `\r`. */

/**
 * Finds `\r` or `\n` from a position, remembering both next positions so a chunk of many
 * lines with only one kind of break is scanned once, not once per line.
 */
export class LineBreaks {
  private lf = -2;
  private cr = -2;

  constructor(private readonly text: string) {}

  next(from: number): number {
    if (this.lf !== -1 && this.lf < from) this.lf = this.text.indexOf('\n', from);
    if (this.cr !== -1 && this.cr < from) this.cr = this.text.indexOf('\r', from);
    if (this.lf < 0) return this.cr;
    if (this.cr < 0) return this.lf;
    return Math.min(this.lf, this.cr);
  }
}
