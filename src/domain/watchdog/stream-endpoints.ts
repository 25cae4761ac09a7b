/**
 * The URLs of a stream's spec the watchdog works with: its output, its inputs, and the URL a check
 * probes. Raw (not redacted): callers redact before anything is shown.
 */
import type { CheckSpec, StreamSpec } from '../stream-spec.js';

/** The URL a check probes, when it has one (ffprobe, http). */
export function checkUrl(check: CheckSpec): string | undefined {
  return check.type === 'ffprobe' || check.type === 'http' ? check.settings.url : undefined;
}

/** The stream's output: a pipeline's `output`, or the last argument of an args stream. */
export function outputOf(spec: StreamSpec): string | undefined {
  if (spec.source.kind === 'pipeline') return spec.source.output;
  const last = spec.source.args.at(-1);
  return last !== undefined && last.includes('://') ? last : undefined;
}

/** The stream's inputs: a pipeline's `inputs`, or every `-i` of an args stream. */
export function inputsOf(spec: StreamSpec): string[] {
  if (spec.source.kind === 'pipeline') return spec.source.inputs.map((input) => input.url);
  const args = spec.source.args;
  return args.flatMap((arg, i) => (arg === '-i' && args[i + 1] !== undefined ? [args[i + 1] ?? ''] : []));
}
