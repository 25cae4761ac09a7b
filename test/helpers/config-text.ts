/** Config texts for the loader's tests: a one-stream config, and the issues of one that must fail. */
import { ConfigError } from '../../src/domain/errors.js';
import type { Env } from '../../src/config/env.js';
import { loadConfigText } from '../../src/config/load.js';

/** The issues of a configuration that must fail. */
export function issuesOf(text: string, env: Env = {}): readonly string[] {
  try {
    loadConfigText(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** A config with one stream built from extra YAML lines (indented as stream fields). */
export function oneStream(fields: string, head = ''): string {
  return `${head}streams:\n  - id: s\n${fields.replace(/^/gm, '    ')}\n`;
}

export const ARGS = 'args: [-i, in.mp4, -f, flv, rtmp://127.0.0.1/live/x]';
