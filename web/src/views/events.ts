/** The full events feed. */
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { renderFeed } from './feed.js';

export function eventsView(main: HTMLElement, ctx: Context): View {
  const list = h('ol', { class: 'feed feed-full' });
  fill(
    main,
    h(
      'section',
      { 'aria-labelledby': 'events-title' },
      h('h1', { id: 'events-title' }, 'Events'),
      h('p', { class: 'muted' }, 'State and health transitions, recoveries and notifications since this page was opened, newest first.'),
      list,
    ),
  );
  const update = () => renderFeed(list, ctx.live.feed, 200);
  update();
  return { update, dispose: () => {} };
}
