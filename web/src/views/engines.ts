/** The engine pool: healthy / total, and each engine with its health, last check and last use. */
import { ApiError } from '../api.js';
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { ago } from '../format.js';
import type { EngineDto } from '../types.js';

const POLL_MS = 5_000;

function kpi(label: string, value: string): HTMLElement {
  return h('div', { class: 'kpi' }, h('dt', {}, label), h('dd', {}, value));
}

export function enginesView(main: HTMLElement, ctx: Context): View {
  const body = h('div', { class: 'engines-body' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, h('section', { 'aria-labelledby': 'engines-title' }, h('h1', { id: 'engines-title' }, 'Engines'), body));
  let engines: EngineDto[] | undefined;
  let problem: string | undefined;
  let timer: number | undefined;
  let disposed = false;

  const render = () => {
    const now = Date.now();
    if (problem !== undefined) {
      fill(body, h('p', { class: 'muted' }, problem));
      return;
    }
    if (engines === undefined) return;
    const healthy = engines.filter((e) => e.health_status === 'healthy').length;
    const inUse = engines.reduce((sum, e) => sum + e.stream_count, 0);
    const free = engines.reduce((sum, e) => sum + e.free_slots, 0);
    fill(
      body,
      h('dl', { class: 'kpis' }, kpi('Healthy', `${healthy} / ${engines.length}`), kpi('Streams on engines', String(inUse)), kpi('Free slots', String(free))),
      engines.length === 0
        ? h('p', { class: 'muted' }, 'The pool is empty.')
        : h(
            'div',
            { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Engines table' },
            h(
              'table',
              {},
              h('thead', {}, h('tr', {}, ...['Engine', 'Address', 'Health', 'Last check', 'Last used', 'Streams', 'Last error'].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                {},
                ...engines.map((e) =>
                  h(
                    'tr',
                    { 'data-engine': e.id, 'data-tone': e.health_status },
                    h('th', { scope: 'row' }, e.id, h('span', { class: 'muted' }, ` ${e.kind}`)),
                    h('td', {}, `${e.host}:${e.port}`),
                    h('td', {}, h('span', { class: 'badge' }, e.health_status)),
                    h('td', {}, ago(e.last_health_check, now)),
                    h('td', {}, ago(e.last_stream_usage, now)),
                    h('td', {}, `${e.stream_count} / ${e.capacity}`, e.streams.length > 0 ? h('span', { class: 'muted' }, ` (${e.streams.join(', ')})`) : null),
                    h('td', { class: 'wrap' }, e.last_error ?? ''),
                  ),
                ),
              ),
            ),
          ),
    );
  };

  const poll = async () => {
    try {
      engines = await ctx.api.get<EngineDto[]>('/api/v1/engines');
      problem = undefined;
    } catch (error) {
      problem =
        error instanceof ApiError && error.status === 404
          ? 'No engine pool is configured on this daemon (see "engines" in the configuration).'
          : `Cannot read the engines: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (disposed) return;
    render();
    timer = window.setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  return {
    update: () => {},
    dispose: () => {
      disposed = true;
      window.clearTimeout(timer);
    },
  };
}
