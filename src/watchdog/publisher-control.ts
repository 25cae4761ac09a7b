/**
 * What the watchdog of one stream does at its RTMP server: drop a publisher — our own output
 * session, or the stale publisher of an input or a checked URL (domain/watchdog/drop-target.ts)
 * — always by app and stream name, never "every client"; and clear a stale session that still holds our name
 * ("Already publishing") so the next run can publish. Without a configured server or an RTMP
 * output there is nothing to act on, and it says so.
 */
import { clearStaleSession } from './stale-session.js';
import type { Redactor } from '../domain/redact.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { parseRtmpTarget, type RtmpServer, type RtmpTarget } from '../ports/rtmp-server.js';
import type { WatchdogActionType } from '../events/watchdog-events.js';
import { errorMessage } from '../domain/error-message.js';

export interface PublisherControlOptions {
  readonly server: RtmpServer | undefined;
  /** The stream's output URL (the publisher's target). */
  readonly output: string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly redact: Redactor;
  /** How long a stale session may take to clear. @default 10 s */
  readonly staleSessionTimeoutMs?: number;
  /** Reports an action as it starts (the stream's `recovery` event). */
  readonly announce: (action: WatchdogActionType, reason: string) => void;
}

const CONTROL_TIMEOUT_MS = 10_000;

export class PublisherControl {
  private readonly target: RtmpTarget | undefined;
  private clearing: Promise<void> | undefined;

  constructor(private readonly options: PublisherControlOptions) {
    this.target = rtmpTargetOf(options.output);
  }

  /**
   * Drops the publisher of `at.url` (default: our output) at the server; false when there is no
   * server or the URL is not an RTMP one. `at.side` names whose publisher it is, for the log.
   */
  async drop(reason: string, at: { readonly url: string; readonly side: string } | undefined = undefined): Promise<boolean> {
    const { server, log } = this.options;
    const side = at?.side ?? 'output';
    const target = at === undefined ? this.target : rtmpTargetOf(at.url);
    if (server === undefined || target === undefined) {
      log.warn({ reason, side }, `drop-publisher: the stream has no RTMP server or no RTMP ${side} URL`);
      return false;
    }
    this.options.announce('drop-publisher', side === 'output' ? reason : `the publisher of the ${side} URL: ${reason}`);
    const publisher = await server.findPublisher(target.app, target.name, { signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS) });
    if (publisher === undefined) {
      log.warn({ server: server.id, app: target.app, side }, `drop-publisher: nothing publishes at the ${side} URL`);
    } else {
      const dropped = await server.dropPublisher(publisher, { signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS) });
      log.warn({ server: server.id, app: target.app, side, clientId: publisher.clientId, dropped }, 'publisher dropped');
    }
    return true;
  }

  /**
   * "Already publishing": drops the session holding our name and waits until the name is free,
   * then calls `onCleared`. One clearing at a time; undefined when none was started.
   */
  clearStale(onCleared: () => void): Promise<void> | undefined {
    const { server, log } = this.options;
    const target = this.target;
    if (server === undefined || target === undefined || this.clearing !== undefined) return undefined;
    this.options.announce('drop-stale-session', 'the RTMP server still holds a session under our stream name ("Already publishing")');
    this.clearing = clearStaleSession(server, target, { clock: this.options.clock, timeoutMs: this.options.staleSessionTimeoutMs ?? CONTROL_TIMEOUT_MS })
      .then((outcome) => {
        log.warn({ server: server.id, app: target.app, ...outcome }, 'stale session cleared');
        onCleared();
      })
      .catch((error: unknown) => {
        log.error({ err: this.options.redact(errorMessage(error)) }, 'could not clear the stale session');
      })
      .finally(() => {
        this.clearing = undefined;
      });
    return this.clearing;
  }
}

function rtmpTargetOf(output: string | undefined): RtmpTarget | undefined {
  if (output === undefined) return undefined;
  try {
    return parseRtmpTarget(output);
  } catch {
    return undefined;
  }
}
