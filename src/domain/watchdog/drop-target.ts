/**
 * Whose publisher the `drop-publisher` action drops. The motherstream case: an external DJ
 * publishes to `/live/mother`, our stream relays it and a check probes that URL. When the DJ's
 * encoder freezes, the stale publisher is the DJ's (upstream), not our own output session.
 *
 * | target   | drops the publisher of                                                          |
 * |----------|---------------------------------------------------------------------------------|
 * | `check`  | the first failing check's RTMP URL                                              |
 * | `input`  | the stream's active input (an RTMP URL)                                         |
 * | `output` | our own output (the stream's session at the RTMP server)                        |
 * | `auto`   | the failing check's RTMP URL unless that check is about our output; else our     |
 * | (default)| output when a failing check is about it; else the active input when it is RTMP; |
 * |          | else our output                                                                  |
 *
 * Pure: the watchdog passes what is failing now and acts on the answer.
 */
import type { DropPublisherTarget, RecoveryAction } from '../stream-spec.js';

const RTMP_URL = /^rtmp[est]*:\/\//i;

export const isRtmpUrl = (url: string | undefined): url is string => url !== undefined && RTMP_URL.test(url.trim());

export interface FailingProbe {
  readonly name: string;
  readonly type: string;
  /** The URL the check probes, when it has one. */
  readonly url?: string;
}

export interface DropTargetInput {
  readonly target: DropPublisherTarget;
  /** The stream's failing, acting checks, in configuration order. */
  readonly failing: readonly FailingProbe[];
  /** The stream's active input. */
  readonly input?: { readonly index: number; readonly url: string };
  /** The stream's output URL. */
  readonly output?: string;
}

export type DropTarget =
  | {
      readonly side: 'check' | 'input' | 'output';
      readonly url: string;
      /** The failing check whose URL this is (side `check`). */
      readonly check?: string;
      /** Set when the URL is the active input's: that input's publisher goes, so the input has failed. */
      readonly activeInput?: number;
    }
  | { readonly side: 'none'; readonly reason: string };

/** Whether a check is about our output: it probes the output URL, or asks the server about our publishing. */
function aboutOutput(check: FailingProbe, output: string | undefined): boolean {
  return check.type === 'rtmp-server' || (check.url !== undefined && output !== undefined && check.url === output);
}

export function chooseDropTarget(input: DropTargetInput): DropTarget {
  const { failing, output } = input;
  const active = input.input;
  const at = (side: 'check' | 'input' | 'output', url: string, check?: string): DropTarget => ({
    side,
    url,
    ...(check !== undefined && { check }),
    ...(active !== undefined && active.url === url && side !== 'output' && { activeInput: active.index }),
  });
  const ofOutput = (): DropTarget => (isRtmpUrl(output) ? at('output', output) : { side: 'none', reason: 'the output is not an RTMP URL' });
  const ofInput = (): DropTarget => (isRtmpUrl(active?.url) ? at('input', active.url) : { side: 'none', reason: 'the active input is not an RTMP URL' });
  switch (input.target) {
    case 'output':
      return ofOutput();
    case 'input':
      return ofInput();
    case 'check': {
      const check = failing.find((probe) => isRtmpUrl(probe.url));
      return check?.url === undefined ? { side: 'none', reason: 'no failing check probes an RTMP URL' } : at('check', check.url, check.name);
    }
    case 'auto': {
      const upstream = failing.find((probe) => isRtmpUrl(probe.url) && !aboutOutput(probe, output));
      if (upstream?.url !== undefined) return at('check', upstream.url, upstream.name);
      if (failing.some((probe) => aboutOutput(probe, output))) return ofOutput();
      const dropped = ofInput();
      return dropped.side === 'none' ? ofOutput() : dropped;
    }
  }
}

/**
 * Whether the ladder, not the immediate failover, handles a failure of this input: it lists
 * `drop-publisher`, its target can be this input's publisher (an RTMP URL), and an acting check
 * probes the input (its failure reaches the ladder). Then a frozen publisher is dropped first, and
 * the queue moves on after the drop.
 */
export function ladderDropsInput(options: {
  readonly ladder: readonly RecoveryAction[];
  readonly target: DropPublisherTarget;
  readonly inputUrl: string;
  /** An acting (not informational) check probes this input's URL. */
  readonly probed: boolean;
}): boolean {
  if (!options.ladder.includes('drop-publisher') || !options.probed || !isRtmpUrl(options.inputUrl)) return false;
  return options.target !== 'output';
}
