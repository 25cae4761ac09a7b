/** Options shared by the RTMP server adapters. */
import { defaultRedactor, type Redactor } from '../../domain/redact.js';
import type { Clock } from '../../ports/clock.js';
import type { Publisher, RtmpRequestOptions, RtmpServer, RtmpServerKind } from '../../ports/rtmp-server.js';

export interface RtmpAdapterOptions {
  /** Timeout of each HTTP request. Default 5 s. */
  readonly timeoutMs?: number;
  /** Applied to every error message (stream keys are never put in them to begin with). */
  readonly redact?: Redactor;
  /** For `publishingSinceMs` and derived bitrates. */
  readonly clock: Clock;
}

export const DEFAULT_RTMP_TIMEOUT_MS = 5_000;

/** The outcome of parsing one API document: publishers, or why the document is unusable. */
export type ParseOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** What every adapter shares: its id, its options resolved to defaults, and lookup by name. */
export abstract class RtmpAdapterBase implements RtmpServer {
  abstract readonly kind: RtmpServerKind;
  readonly id: string;
  protected readonly timeoutMs: number;
  protected readonly redact: Redactor;
  protected readonly clock: Clock;

  constructor(id: string, options: RtmpAdapterOptions) {
    this.id = id;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RTMP_TIMEOUT_MS;
    this.redact = options.redact ?? defaultRedactor;
    this.clock = options.clock;
  }

  abstract listPublishers(options?: RtmpRequestOptions): Promise<Publisher[]>;
  abstract dropPublisher(publisher: Publisher, options?: RtmpRequestOptions): Promise<boolean>;

  async findPublisher(app: string, name: string, options: RtmpRequestOptions = {}): Promise<Publisher | undefined> {
    return (await this.listPublishers(options)).find((p) => p.app === app && p.name === name);
  }
}
