/**
 * Detects what the installed ffmpeg understands by running it twice at start-up:
 * `-hide_banner -version` (the version line) and `-hide_banner -h long` (the option list).
 * The argv builder then only passes options this build lists — e.g. the 2018 bundled build
 * has no `-stats_period`.
 *
 * The parsing functions are pure and tested on captured outputs in test/fixtures/ffmpeg-help/.
 */
import { execFile } from 'node:child_process';
import { StreamwardenError } from '../../domain/errors.js';
import type { FfmpegCapabilities } from '../../domain/ffmpeg-capabilities.js';

/** "ffmpeg version 5.1.6-0+deb12u1 Copyright…" → "5.1.6-0+deb12u1"; undefined when absent. */
export function parseVersion(output: string): string | undefined {
  const match = /^\s*\S+ version (\S+)/m.exec(output);
  return match?.[1];
}

/**
 * Option names (without the leading dash) from `ffmpeg -h long`: every line that starts with
 * `-name`. Indented lines (the "Getting help" examples) are not options. `--help` is read as
 * `help`.
 */
export function parseOptionNames(helpOutput: string): Set<string> {
  const options = new Set<string>();
  for (const line of helpOutput.split(/\r?\n/)) {
    const match = /^--?([^\s-]\S*)/.exec(line);
    if (match?.[1] !== undefined) options.add(match[1]);
  }
  return options;
}

export function parseCapabilities(versionOutput: string, helpOutput: string): FfmpegCapabilities {
  return {
    version: parseVersion(versionOutput) ?? parseVersion(helpOutput) ?? 'unknown',
    options: parseOptionNames(helpOutput),
  };
}

export interface DetectOptions {
  /** Per invocation. Default 10 s. */
  timeoutMs?: number;
  /** Output cap per stream and invocation. Default 4 MiB (`-h long` is ~12 kB). */
  maxBytes?: number;
}

/** Runs the binary and parses its capabilities; throws StreamwardenError FFMPEG_UNUSABLE. */
export async function detectCapabilities(binary: string, options: DetectOptions = {}): Promise<FfmpegCapabilities> {
  const versionOutput = await run(binary, ['-hide_banner', '-version'], options);
  const helpOutput = await run(binary, ['-hide_banner', '-h', 'long'], options);
  const capabilities = parseCapabilities(versionOutput, helpOutput);
  if (capabilities.options.size === 0) {
    throw new StreamwardenError('FFMPEG_UNUSABLE', `${binary} -h long listed no options; is it ffmpeg?`);
  }
  return capabilities;
}

function run(binary: string, args: string[], options: DetectOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        timeout: options.timeoutMs ?? 10_000,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxBytes ?? 4 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error !== null) {
          const detail = stderr.trim().split('\n').slice(-1)[0] ?? '';
          reject(
            new StreamwardenError(
              'FFMPEG_UNUSABLE',
              `${binary} ${args.join(' ')} failed: ${error.message}${detail === '' ? '' : ` (${detail})`}`,
              { cause: error },
            ),
          );
          return;
        }
        resolve(`${stdout}\n${stderr}`);
      },
    );
  });
}
