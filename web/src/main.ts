/** The dashboard: hash routes (#/, #/streams/ID, #/engines, #/events) over one live model. */
import './styles.css';
import { Api } from './api.js';
import type { Context, View } from './context.js';
import { setText } from './dom.js';
import { LiveModel } from './live.js';
import { createTokenDialog } from './token-dialog.js';
import { enginesView } from './views/engines.js';
import { eventsView } from './views/events.js';
import { overviewView } from './views/overview.js';
import { streamPageView } from './views/stream-page.js';

const NOTICE_MS = 8_000;

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks #${id}`);
  return element;
}

const main = byId('main');
const notice = byId('announcer');
const connection = byId('connection');
const api = new Api(createTokenDialog());
const live = new LiveModel(api);
/** An action's result stays this long before a health change may replace it. */
const ACTION_NOTICE_MS = 5_000;
let noticeTimer: number | undefined;
let actionNoticeUntil = 0;

function showNotice(text: string, tone: 'info' | 'error'): void {
  notice.dataset['tone'] = tone;
  setText(notice, text);
  notice.classList.add('visible');
  window.clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => notice.classList.remove('visible'), NOTICE_MS);
}

const ctx: Context = {
  api,
  live,
  announce(text, tone = 'info') {
    actionNoticeUntil = Date.now() + ACTION_NOTICE_MS;
    showNotice(text, tone);
  },
};

let view: View | undefined;

function route(): void {
  view?.dispose();
  const hash = decodeURIComponent(location.hash.replace(/^#/, ''));
  const stream = /^\/streams\/([a-z0-9][a-z0-9_-]{0,62})$/.exec(hash);
  let section = 'streams';
  if (stream?.[1] !== undefined) view = streamPageView(main, ctx, stream[1]);
  else if (hash === '/engines') {
    section = 'engines';
    view = enginesView(main, ctx);
  } else if (hash === '/events') {
    section = 'events';
    view = eventsView(main, ctx);
  } else view = overviewView(main, ctx);
  if (stream === null) document.title = `${section[0]?.toUpperCase() ?? ''}${section.slice(1)} · streamwarden`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (link.dataset['nav'] === section && stream === null) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

const CONNECTION_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' } as const;

live.subscribe((event) => {
  if (event.kind === 'connection' || event.kind === 'streams') {
    setText(connection, live.error === undefined ? CONNECTION_TEXT[live.connection] : `Daemon unreachable: ${live.error}`);
    connection.dataset['connection'] = live.error === undefined ? live.connection : 'down';
  }
  if (event.kind === 'event' && event.event.type === 'health' && event.event.streamId !== undefined) {
    const stream = live.stream(event.event.streamId);
    // A stream flapping must not hide what just happened to the user's own action.
    if (Date.now() >= actionNoticeUntil) showNotice(`${stream?.name ?? event.event.streamId} is ${String(event.raw['to'])}`, 'info');
  }
  view?.update();
});

// The routes live in the hash: the skip link moves focus instead of changing it.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => {
  route();
  main.focus({ preventScroll: true });
});
route();
live.start();
