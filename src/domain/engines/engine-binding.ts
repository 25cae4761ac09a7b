/**
 * Streams that run on an engine of the pool (a stream's `engine:` key): the placeholders that
 * put the engine's address into the ffmpeg arguments, and the decisions of when a stream keeps
 * its engine, takes another, or waits. Pure; src/engines/stream-engine-binding.ts applies them.
 *
 * Placeholders, replaced in inputs (URL and options), output, encode and args:
 *   {engine}       host:port (an IPv6 host in brackets)
 *   {engine.host}  the host
 *   {engine.port}  the port
 */
import type { EngineSelector, StreamSource } from '../stream-spec.js';
import type { EngineHealthStatus } from './engine-health.js';
import { hostInUrl } from './engine-spec.js';

export const ENGINE_PLACEHOLDERS = ['{engine}', '{engine.host}', '{engine.port}'] as const;
const PLACEHOLDER = /\{engine(?:\.(host|port))?\}/g;

export type { EngineSelector };

export interface EngineAddress {
  readonly host: string;
  readonly port: number;
}

/** True when `text` names one of the placeholders. */
export function hasEnginePlaceholder(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(text);
}

/** Every string of a source that is handed to ffmpeg. */
export function sourceStrings(source: StreamSource): string[] {
  if (source.kind === 'args') return [...source.args];
  return [...source.inputs.flatMap((input) => [input.url, ...input.options]), source.output, ...source.encode];
}

export function usesEngine(source: StreamSource): boolean {
  return sourceStrings(source).some(hasEnginePlaceholder);
}

export function substituteEngine(text: string, engine: EngineAddress): string {
  const host = hostInUrl(engine.host);
  return text.replace(PLACEHOLDER, (_match, part: string | undefined) => {
    if (part === 'host') return engine.host;
    if (part === 'port') return String(engine.port);
    return `${host}:${engine.port}`;
  });
}

/** The source with every placeholder replaced by the engine's address. */
export function bindSource(source: StreamSource, engine: EngineAddress): StreamSource {
  const sub = (text: string): string => substituteEngine(text, engine);
  if (source.kind === 'args') return { kind: 'args', args: source.args.map(sub) };
  return {
    kind: 'pipeline',
    inputs: source.inputs.map((input) => ({ url: sub(input.url), options: input.options.map(sub) })),
    output: sub(source.output),
    encode: source.encode.map(sub),
  };
}

/** The engine a stream holds a claim on, as far as the decisions need it. */
export interface BoundEngine {
  readonly engineId: string;
  readonly claimId: string;
  /** `gone` when the engine was removed from the pool. */
  readonly status: EngineHealthStatus | 'gone';
}

/**
 * Before a spawn: keep the engine held unless it is unhealthy or gone; otherwise (or with none)
 * acquire one, releasing the old claim first. `unknown` (not polled yet, e.g. after a daemon
 * restart) and `degraded` keep it: only a judged failure moves a stream.
 */
export type SpawnDecision = { readonly kind: 'keep' } | { readonly kind: 'acquire'; readonly release?: string };

export function decideBeforeSpawn(bound: BoundEngine | undefined): SpawnDecision {
  if (bound === undefined) return { kind: 'acquire' };
  if (bound.status === 'unhealthy' || bound.status === 'gone') return { kind: 'acquire', release: bound.claimId };
  return { kind: 'keep' };
}

/**
 * When an engine's health changes: streams on an engine that turned unhealthy move (when another
 * engine can be had; else they stay, and move when one turns healthy); when any engine turns
 * healthy, streams still on an unhealthy engine and streams waiting for one try again.
 */
export type TransitionDecision = 'move' | 'retry' | 'none';

export function decideOnTransition(
  stream: { readonly bound?: BoundEngine; readonly waiting: boolean },
  event: { readonly engineId: string; readonly to: EngineHealthStatus },
): TransitionDecision {
  const bound = stream.bound;
  if (event.to === 'unhealthy') return bound?.engineId === event.engineId ? 'move' : 'none';
  if (event.to !== 'healthy') return 'none';
  if (bound === undefined) return stream.waiting ? 'retry' : 'none';
  return bound.engineId !== event.engineId && (bound.status === 'unhealthy' || bound.status === 'gone') ? 'move' : 'none';
}
