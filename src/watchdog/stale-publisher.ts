/**
 * The `drop-publisher` action of one stream: picks whose publisher is stale
 * (domain/watchdog/drop-target.ts: the failing check's URL, the active input, or our own output)
 * and drops it through PublisherControl.
 */
import type { CheckSpec, DropPublisherTarget, StreamSpec } from '../domain/stream-spec.js';
import { chooseDropTarget, type DropTarget } from '../domain/watchdog/drop-target.js';
import { checkUrl, inputsOf, outputOf } from '../domain/watchdog/stream-endpoints.js';
import type { Logger } from '../ports/logger.js';
import type { PublisherControl } from './publisher-control.js';

export interface StalePublisherDrop {
  readonly spec: StreamSpec;
  readonly target: DropPublisherTarget;
  /** The stream's failing, acting checks (the health report's `failing`), in order. */
  readonly failing: readonly CheckSpec[];
  readonly activeInput: number;
  readonly publisher: PublisherControl;
  readonly log: Logger;
}

/** Drops the stale publisher; resolves with whose it was, or undefined when nothing could be asked. */
export async function dropStalePublisher(drop: StalePublisherDrop, reason: string): Promise<Exclude<DropTarget, { side: 'none' }> | undefined> {
  const activeUrl = inputsOf(drop.spec)[drop.activeInput];
  const output = outputOf(drop.spec);
  const target = chooseDropTarget({
    target: drop.target,
    failing: drop.failing.map((check) => {
      const url = checkUrl(check);
      return { name: check.name, type: check.type, ...(url !== undefined && { url }) };
    }),
    ...(activeUrl !== undefined && { input: { index: drop.activeInput, url: activeUrl } }),
    ...(output !== undefined && { output }),
  });
  if (target.side === 'none') {
    drop.log.warn({ reason, target: drop.target, why: target.reason }, 'drop-publisher: no publisher to drop');
    return undefined;
  }
  return (await drop.publisher.drop(reason, target)) ? target : undefined;
}
