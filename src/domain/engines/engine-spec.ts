/**
 * An engine of a pool (DESIGN.md §2 "Engine"): an HTTP service (an Acestream engine, or any
 * service with a status endpoint) whose health we poll and which we hand out least recently
 * used first. Pure types and defaults; validation of API bodies is in src/config/engine-body.ts.
 */

/** `acestream` polls `GET /server/api?api_version=3&method=get_status`; `http` polls `path` with conditions. */
export type EngineKind = 'acestream' | 'http';
export const ENGINE_KINDS: readonly EngineKind[] = ['acestream', 'http'];

/** Same shape as a stream id: it becomes a metric label and a URL segment. */
export const ENGINE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Where an engine came from: config engines are replaced on reload, API engines persist. */
export type EngineSource = 'config' | 'api';

export interface EngineSpec {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** @default 'acestream' */
  readonly kind: EngineKind;
  /** `http` kind: the status path, e.g. `/health`. @default '/' */
  readonly path?: string;
  /** `http` kind: Gatus-like conditions (domain/http-conditions.ts), e.g. `body.status == "ok"`. */
  readonly conditions?: readonly string[];
  /** How many streams it takes at once. @default 1 */
  readonly capacity: number;
  /** Free-form key → value, matched by the acquire selector. */
  readonly labels: Readonly<Record<string, string>>;
}

export const DEFAULT_ENGINE_CAPACITY = 1;
export const ACESTREAM_STATUS_PATH = '/server/api?api_version=3&method=get_status';
/** A status path goes into the request line as is: no space, CR, LF or other control character. */
export const STATUS_PATH_PATTERN = /^\/[\x21-\x7e]*$/;

/** What is polled for an engine's health: its address and the status path (with query). */
export function statusTarget(spec: EngineSpec): { host: string; port: number; path: string } {
  const path = spec.kind === 'acestream' ? ACESTREAM_STATUS_PATH : (spec.path ?? '/');
  return { host: spec.host, port: spec.port, path: path.startsWith('/') ? path : `/${path}` };
}

/** A host as it goes into a URL or a Host header: an IPv6 address in brackets. */
export function hostInUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The URL polled for an engine's health. */
export function statusUrl(spec: EngineSpec): string {
  const { host, port, path } = statusTarget(spec);
  return `http://${hostInUrl(host)}:${port}${path}`;
}

/** True when every key of `selector` is a label of the engine with the same value. */
export function matchesLabels(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>> | undefined): boolean {
  if (selector === undefined) return true;
  return Object.entries(selector).every(([key, value]) => Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === value);
}
