/**
 * What the installed ffmpeg understands, detected once at start-up. The argv builder only
 * passes options that this build lists, so an old binary never fails on an unknown option.
 */
export interface FfmpegCapabilities {
  /** The version as printed, e.g. "5.1.6-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  readonly version: string;
  /** Option names without their leading dash, as listed by `ffmpeg -h long`. */
  readonly options: ReadonlySet<string>;
  /** The http protocol's options (e.g. `reconnect`), which `-h long` does not list. */
  readonly httpOptions?: ReadonlySet<string>;
}

export function supportsOption(capabilities: FfmpegCapabilities, option: string): boolean {
  return capabilities.options.has(option.replace(/^-/, ''));
}

export function supportsHttpOption(capabilities: FfmpegCapabilities, option: string): boolean {
  return capabilities.httpOptions?.has(option.replace(/^-/, '')) ?? false;
}
