/** The overview: every stream as a card, and the latest events beside them. */
import type { Context, View } from '../context.js';
import { fill, h, setText } from '../dom.js';
import { streamTone } from '../format.js';
import { renderFeed } from './feed.js';
import { streamCard, type StreamCard } from './stream-card.js';

export function overviewView(main: HTMLElement, ctx: Context): View {
  const summary = h('p', { class: 'summary', id: 'streams-summary' });
  const grid = h('ul', { class: 'stream-grid', 'aria-labelledby': 'streams-title' });
  const feed = h('ol', { class: 'feed' });
  fill(
    main,
    h(
      'div',
      { class: 'overview' },
      h('section', { class: 'streams', 'aria-labelledby': 'streams-title' }, h('h1', { id: 'streams-title' }, 'Streams'), summary, grid),
      h('aside', { class: 'recent-events', 'aria-labelledby': 'recent-title' }, h('h2', { id: 'recent-title' }, 'Recent events'), feed, h('p', {}, h('a', { href: '#/events' }, 'All events'))),
    ),
  );
  const cards = new Map<string, StreamCard>();

  const update = () => {
    const { streams, history } = ctx.live;
    const now = Date.now();
    const healthy = streams.filter((s) => streamTone(s.state, s.health) === 'healthy').length;
    setText(summary, streams.length === 0 ? 'No streams are configured.' : `${healthy} of ${streams.length} healthy`);
    const seen = new Set<string>();
    streams.forEach((stream, index) => {
      seen.add(stream.id);
      let card = cards.get(stream.id);
      if (!card) {
        card = streamCard(ctx, stream);
        cards.set(stream.id, card);
      }
      if (grid.children[index] !== card.element) grid.insertBefore(card.element, grid.children[index] ?? null);
      card.update(stream, history.get(stream.id) ?? [], now);
    });
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.element.remove();
        cards.delete(id);
      }
    }
    renderFeed(feed, ctx.live.feed, 8);
  };
  update();
  return { update, dispose: () => cards.clear() };
}
