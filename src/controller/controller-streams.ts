/**
 * The reference controller's initial desired set, read from a streamwarden configuration file:
 * its `streams` entries as written (after `${VAR}` substitution), so an edge daemon parses them
 * exactly as it would parse its own file. The file is validated in full first (the same errors as
 * `streamwarden validate`); other sections are ignored.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { loadConfigText, type Env } from '../config/load.js';
import { substituteEnv } from '../config/env.js';
import { ConfigError } from '../domain/errors.js';
import type { StreamEntry } from '../config/stream-entry.js';
import { errorMessage } from '../domain/error-message.js';

export type { StreamEntry } from '../config/stream-entry.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Throws ConfigError (every problem with its path) when the file is unreadable or invalid. */
export async function loadControllerStreams(path: string, env: Env): Promise<StreamEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`(root): cannot read config file ${JSON.stringify(path)}: ${errorMessage(error)}`]);
  }
  loadConfigText(text, env);
  const tree: unknown = parseDocument(text, { merge: true }).toJS();
  const substituted = substituteEnv(tree, env).value;
  const streams = isRecord(substituted) && Array.isArray(substituted.streams) ? (substituted.streams as unknown[]) : [];
  // Through JSON: what is sent over SSE is exactly what is kept.
  return streams.filter(isRecord).map((entry) => JSON.parse(JSON.stringify(entry)) as StreamEntry);
}
