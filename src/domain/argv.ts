/**
 * Compiles a stream's source into the ffmpeg argv (without the binary). The result goes to a
 * ProcessRunner as an array: no shell is ever involved, so nothing here quotes or escapes.
 *
 * Layout: global options, then (pipeline form) ONE input — the one at `inputIndex`; later
 * inputs are fallbacks tried in turn, never mixed — then the encode options, then the output.
 */
import { StreamwardenError } from './errors.js';
import { supportsHttpOption, supportsOption, type FfmpegCapabilities } from './ffmpeg-capabilities.js';
import { defaultRedactor, redactArgs, type Redactor } from './redact.js';
import type { StreamInput, StreamSource } from './stream-spec.js';

/** The fd ffmpeg writes `-progress` to; the process runner must provide it as a pipe. */
export const PROGRESS_FD = 3;

export interface BuildArgvOptions {
  /** Which of the pipeline's inputs to use (0 = primary). Ignored for the `args` form. */
  readonly inputIndex: number;
}

/** The requested input does not exist in the stream's list. */
export class InvalidInputIndexError extends StreamwardenError {
  constructor(
    readonly inputIndex: number,
    readonly inputCount: number,
  ) {
    super('INVALID_INPUT_INDEX', `input index ${inputIndex} is out of range (the stream has ${inputCount} inputs)`);
  }
}

const LAVFI_PREFIX = 'lavfi:';
/** Inputs whose protocol (ffmpeg's http) can reconnect by itself. */
const HTTP_INPUT = /^https?:\/\//i;
/**
 * ffmpeg cannot guess a muxer from these URLs ("Unable to find a suitable output format"), so
 * a pipeline without `-f` in `encode` gets the usual one.
 */
const DEFAULT_OUTPUT_FORMATS: readonly (readonly [RegExp, string])[] = [
  [/^rtmp[a-z]*:\/\//i, 'flv'],
  [/^srt:\/\//i, 'mpegts'],
];

/**
 * Options before everything else: no banner, never read stdin (a stray key would quit or
 * pause ffmpeg), machine-readable progress on its own fd and no status redraws on stderr.
 * `-stats_period 1` only where the build knows it (the 2018 bundled build does not; it then
 * reports every 0.5 s).
 */
export function globalArgs(capabilities: FfmpegCapabilities): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-progress', `pipe:${PROGRESS_FD}`];
  if (supportsOption(capabilities, 'stats_period')) args.push('-stats_period', '1');
  return args;
}

export function buildArgv(source: StreamSource, capabilities: FfmpegCapabilities, options: BuildArgvOptions): string[] {
  const argv = globalArgs(capabilities);
  if (source.kind === 'args') {
    argv.push(...source.args);
    return argv;
  }

  const { inputIndex } = options;
  const input = Number.isInteger(inputIndex) ? source.inputs[inputIndex] : undefined;
  if (input === undefined) throw new InvalidInputIndexError(inputIndex, source.inputs.length);
  // A leading dash would make ffmpeg read the output as an option ("-" alone is stdout).
  if (source.output.startsWith('-') && source.output !== '-') {
    throw new StreamwardenError('INVALID_OUTPUT', 'the output must be a URL or path, not an option');
  }

  argv.push(...inputArgs(input, capabilities), ...source.encode);
  if (!source.encode.includes('-f')) {
    const format = DEFAULT_OUTPUT_FORMATS.find(([pattern]) => pattern.test(source.output))?.[1];
    if (format !== undefined) argv.push('-f', format);
  }
  argv.push(source.output);
  return argv;
}

function inputArgs(input: StreamInput, capabilities: FfmpegCapabilities): string[] {
  if (input.url.startsWith(LAVFI_PREFIX)) {
    // lavfi generates as fast as the CPU allows; -re paces it to real time like a live source.
    const pace = input.options.includes('-re') ? [] : ['-re'];
    return [...input.options, ...pace, '-f', 'lavfi', '-i', input.url.slice(LAVFI_PREFIX.length)];
  }
  return [...reconnectArgs(input, capabilities), ...input.options, '-i', input.url];
}

/**
 * For http(s) inputs (Icecast, HLS, progressive), let ffmpeg ride out a dropped connection by
 * itself, but briefly: `-reconnect_delay_max 2` gives up after about 3 s, well inside the
 * stall timeout, so a dead source still ends the run and the policy can switch inputs.
 * Added only when the build's http protocol lists all three (detect-capabilities.ts reads them
 * from `-h protocol=http`, or `-h full` on builds without it) and the user set none of them.
 */
function reconnectArgs(input: StreamInput, capabilities: FfmpegCapabilities): string[] {
  if (!HTTP_INPUT.test(input.url)) return [];
  const names = ['reconnect', 'reconnect_streamed', 'reconnect_delay_max'];
  if (!names.every((name) => supportsHttpOption(capabilities, name))) return [];
  if (input.options.some((option) => names.includes(option.replace(/^-/, '')))) return [];
  return ['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '2'];
}

/**
 * The argv (with the binary, if given) as it may be shown in logs, events and the API: every
 * element redacted, credential option values masked (see redactArgs).
 */
export function describeArgv(argv: readonly string[], redactor: Redactor = defaultRedactor): string[] {
  return redactArgs(argv, redactor);
}

const SAFE_WORD = /^[A-Za-z0-9_\-+=:,./@%*]+$/;

/**
 * A one-line, redacted rendering for human-read logs. Arguments with spaces or quotes are
 * shown single-quoted so the line reads unambiguously; it is never executed.
 */
export function formatArgv(argv: readonly string[], redactor: Redactor = defaultRedactor): string {
  return describeArgv(argv, redactor)
    .map((arg) => (SAFE_WORD.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
