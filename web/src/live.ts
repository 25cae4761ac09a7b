/**
 * The dashboard's live model: the stream list (REST, refreshed every few seconds for the rates,
 * which have no events) with a short history per stream for the sparklines, and the SSE events
 * (state and health patch a stream at once and trigger a refresh; every event goes to the feed).
 * EventSource reconnects by itself with Last-Event-ID; `resync` means "re-read everything".
 */
import type { Api } from './api.js';
import type { FeedEvent, StreamDto } from './types.js';

export interface Sample {
  readonly at: number;
  readonly fps: number | null;
  readonly bitrate: number | null;
  readonly speed: number | null;
}

export type Connection = 'connecting' | 'live' | 'reconnecting';

export type LiveEvent = { kind: 'streams' } | { kind: 'event'; event: FeedEvent; raw: Record<string, unknown> } | { kind: 'connection' } | { kind: 'resync' };

const POLL_MS = 2_000;
/** The sparklines show this much history. */
export const HISTORY_MS = 3 * 60_000;
const FEED_SIZE = 200;
const EVENT_TYPES = ['state', 'health', 'recovery', 'notification'] as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The feed's line for one event (pure; the payloads are masked by the daemon). */
export function describeEvent(id: string, type: FeedEvent['type'], data: Record<string, unknown>): FeedEvent {
  const streamId = str(data['streamId']);
  const at = str(data['at']) ?? new Date().toISOString();
  const base = { id, type, streamId, at };
  switch (type) {
    case 'state':
      return { ...base, text: `${str(data['from']) ?? '?'} → ${str(data['to']) ?? '?'}`, tone: 'neutral' };
    case 'health': {
      const to = str(data['to']) ?? 'unknown';
      const reason = str(data['reason']);
      const tone = to === 'healthy' ? 'good' : to === 'degraded' ? 'warn' : to === 'unhealthy' ? 'bad' : 'neutral';
      return { ...base, text: `health ${to}${reason ? ` — ${reason}` : ''}`, tone };
    }
    case 'recovery': {
      if (data['layer'] === 'watchdog') {
        if (data['phase'] === 'recovered') {
          const after = num(data['recoveredAfterSeconds']);
          return { ...base, text: `recovered (${str(data['cause']) ?? 'failure'} at ${str(data['locus']) ?? '?'})${after === undefined ? '' : ` after ${after.toFixed(1)} s`}`, tone: 'good' };
        }
        return { ...base, text: `watchdog: ${str(data['action']) ?? 'action'} — ${str(data['reason']) ?? ''}`, tone: 'warn' };
      }
      const lastError = str(data['lastError']);
      const delay = num(data['delaySeconds']);
      const next = str(data['next']);
      const then = next === undefined ? '' : `; ${next}${delay === undefined ? '' : ` in ${delay.toFixed(1)} s`}`;
      return { ...base, text: `run ended (${str(data['reason']) ?? '?'})${lastError ? `: ${lastError}` : ''}${then}`, tone: 'bad' };
    }
    case 'notification': {
      const severity = str(data['severity']) ?? 'info';
      const tone = severity === 'critical' ? 'bad' : severity === 'warning' ? 'warn' : 'neutral';
      const text = str(data['text']);
      return { ...base, text: `[${severity}] ${str(data['title']) ?? ''}${text ? ` — ${text}` : ''}`, tone };
    }
  }
}

export class LiveModel {
  streams: StreamDto[] = [];
  readonly history = new Map<string, Sample[]>();
  readonly feed: FeedEvent[] = [];
  connection: Connection = 'connecting';
  /** The last refresh failed (the daemon unreachable): shown as a notice. */
  error: string | undefined;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private timer: number | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly api: Api) {}

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    // The feed opens with what just happened; a reconnect sends Last-Event-ID and gets only what it missed.
    const source = new EventSource(`/api/v1/events?recent=${FEED_SIZE}`);
    source.addEventListener('open', () => this.setConnection('live'));
    source.addEventListener('error', () => this.setConnection(source.readyState === EventSource.CLOSED ? 'connecting' : 'reconnecting'));
    for (const type of EVENT_TYPES) source.addEventListener(type, (message) => this.onEvent(type, message));
    source.addEventListener('resync', () => {
      this.emit({ kind: 'resync' });
      this.refreshSoon();
    });
    this.refreshSoon();
  }

  stream(id: string): StreamDto | undefined {
    return this.streams.find((s) => s.id === id);
  }

  /** Re-reads the list now (coalesced: one request at a time, one more if asked meanwhile). */
  refreshSoon(): void {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    window.clearTimeout(this.timer);
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      } else {
        this.timer = window.setTimeout(() => this.refreshSoon(), POLL_MS);
      }
    });
  }

  private async refresh(): Promise<void> {
    try {
      const streams = await this.api.get<StreamDto[]>('/api/v1/streams');
      const now = Date.now();
      for (const s of streams) {
        const samples = this.history.get(s.id) ?? [];
        samples.push({ at: now, fps: s.progress.fps, bitrate: s.progress.bitrateBps, speed: s.progress.speed });
        while (samples.length > 0 && (samples[0]?.at ?? now) < now - HISTORY_MS) samples.shift();
        this.history.set(s.id, samples);
      }
      for (const id of [...this.history.keys()]) if (!streams.some((s) => s.id === id)) this.history.delete(id);
      this.streams = streams;
      this.error = undefined;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.emit({ kind: 'streams' });
  }

  private onEvent(type: FeedEvent['type'], message: MessageEvent<unknown>): void {
    let raw: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(typeof message.data === 'string' ? message.data : '');
      if (typeof parsed !== 'object' || parsed === null) return;
      raw = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    const event = describeEvent(message.lastEventId, type, raw);
    this.feed.unshift(event);
    if (this.feed.length > FEED_SIZE) this.feed.length = FEED_SIZE;
    // State and health show at once; the refresh that follows brings the rest.
    const stream = event.streamId === undefined ? undefined : this.stream(event.streamId);
    if (stream && type === 'state') stream.state = str(raw['to']) ?? stream.state;
    if (stream && type === 'health') stream.health = (str(raw['to']) ?? stream.health) as StreamDto['health'];
    this.emit({ kind: 'event', event, raw });
    if (type === 'state' || type === 'health') {
      this.emit({ kind: 'streams' });
      this.refreshSoon();
    }
  }

  private setConnection(connection: Connection): void {
    if (this.connection === connection) return;
    this.connection = connection;
    this.emit({ kind: 'connection' });
    if (connection === 'live') this.refreshSoon();
  }

  private emit(event: LiveEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
