/**
 * Detects what the installed ffmpeg understands by running it at start-up:
 * `-hide_banner -version` (the version line), `-hide_banner -h long` (the option list) and
 * `-hide_banner -h protocol=http` (the http protocol's options, such as `-reconnect`; builds
 * before 4.2 do not know that topic, so for them the http section of `-h full` is read). The
 * argv builder then only passes options this build lists — e.g. the 2018 bundled build has no
 * `-stats_period`.
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

/**
 * Option names of one `NAME AVOptions:` section of ffmpeg's help (`-h protocol=http` prints just
 * that section, `-h full` prints it among hundreds). Undefined when the section is absent.
 * Its options are indented `-name <type> flags description` lines; deeper-indented lines are the
 * named values of the option above.
 */
export function parseAvOptionSection(helpOutput: string, section: string): Set<string> | undefined {
  const lines = helpOutput.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trimEnd() === `${section} AVOptions:`);
  if (start < 0) return undefined;
  const options = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || !/^\s/.test(line)) break; // the section ends at a blank or a heading
    const match = /^ {1,2}-(\S+)\s+</.exec(line);
    if (match?.[1] !== undefined) options.add(match[1]);
  }
  return options;
}

export function parseCapabilities(versionOutput: string, helpOutput: string, httpHelpOutput?: string): FfmpegCapabilities {
  const httpOptions = httpHelpOutput === undefined ? undefined : parseAvOptionSection(httpHelpOutput, 'http');
  return {
    version: parseVersion(versionOutput) ?? parseVersion(helpOutput) ?? 'unknown',
    options: parseOptionNames(helpOutput),
    ...(httpOptions !== undefined && { httpOptions }),
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
  const capabilities = parseCapabilities(versionOutput, helpOutput, await httpHelp(binary, options));
  if (capabilities.options.size === 0) {
    throw new StreamwardenError('FFMPEG_UNUSABLE', `${binary} -h long listed no options; is it ffmpeg?`);
  }
  return capabilities;
}

/**
 * The help text that holds the http protocol's options, or undefined when this build cannot say
 * (then no http-only option is ever passed). Optional knowledge: a failure here is not fatal.
 */
async function httpHelp(binary: string, options: DetectOptions): Promise<string | undefined> {
  try {
    const topic = await run(binary, ['-hide_banner', '-h', 'protocol=http'], options);
    if (parseAvOptionSection(topic, 'http') !== undefined) return topic;
    return await run(binary, ['-hide_banner', '-h', 'full'], options);
  } catch {
    return undefined;
  }
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
