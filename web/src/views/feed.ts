/** The events feed: transitions, recoveries and notifications, newest first. */
import { fill, h } from '../dom.js';
import { clockTime } from '../format.js';
import type { FeedEvent } from '../types.js';

export function feedItem(event: FeedEvent): HTMLLIElement {
  return h(
    'li',
    { class: `feed-item tone-${event.tone}`, 'data-event-type': event.type },
    h('time', { datetime: event.at }, clockTime(event.at)),
    ' ',
    event.streamId === undefined ? null : h('a', { href: `#/streams/${encodeURIComponent(event.streamId)}`, class: 'feed-stream' }, event.streamId),
    ' ',
    h('span', { class: 'feed-type' }, event.type),
    ' ',
    h('span', { class: 'feed-text' }, event.text),
  );
}

/** Renders `events` (at most `limit`) into `list`, or a placeholder. */
export function renderFeed(list: HTMLElement, events: readonly FeedEvent[], limit: number): void {
  if (events.length === 0) {
    fill(list, h('li', { class: 'muted' }, 'No events yet: transitions and notifications appear here as they happen.'));
    return;
  }
  fill(list, ...events.slice(0, limit).map(feedItem));
}
