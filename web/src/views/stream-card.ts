/** One stream in the overview: colour, figures with sparklines, last check and error, actions. Updated in place. */
import { actionButtons } from '../actions.js';
import type { Context } from '../context.js';
import { h, setText } from '../dom.js';
import { ago, bitrate, duration, fps, speed, streamTone, toneLabel } from '../format.js';
import type { Sample } from '../live.js';
import { drawSparkline, sparklineElement } from '../sparkline.js';
import type { StreamDto } from '../types.js';

export interface StreamCard {
  readonly element: HTMLElement;
  update(stream: StreamDto, history: readonly Sample[], now: number): void;
}

function metric(label: string, withSparkline = false) {
  const value = h('span', { class: 'value' });
  const line = withSparkline ? sparklineElement() : undefined;
  const element = h('div', { class: 'metric' }, h('dt', {}, label), h('dd', {}, value, line ?? null));
  return { element, value, line };
}

export function streamCard(ctx: Context, initial: StreamDto): StreamCard {
  let current = initial;
  const id = initial.id;
  const titleId = `stream-${id}-title`;
  const link = h('a', { href: `#/streams/${encodeURIComponent(id)}` });
  const badge = h('span', { class: 'badge' });
  const sub = h('p', { class: 'sub' });
  const uptime = metric('Uptime');
  const rate = metric('FPS', true);
  const bits = metric('Bitrate', true);
  const pace = metric('Speed', true);
  const restarts = metric('Restarts');
  const checked = metric('Last check');
  const lastError = h('p', { class: 'last-error' });
  const actions = actionButtons(ctx, id, () => current.name);
  const element = h(
    'li',
    { class: 'card', 'data-stream': id },
    h(
      'article',
      { 'aria-labelledby': titleId },
      h('header', { class: 'card-head' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('h3', { id: titleId }, link), badge),
      sub,
      h('dl', { class: 'metrics' }, uptime.element, rate.element, bits.element, pace.element, restarts.element, checked.element),
      lastError,
      actions.element,
    ),
  );

  return {
    element,
    update(stream, history, now) {
      current = stream;
      const tone = streamTone(stream.state, stream.health);
      element.dataset['tone'] = tone;
      element.dataset['state'] = stream.state;
      setText(link, stream.name);
      setText(badge, toneLabel(tone, stream.state));
      badge.setAttribute('aria-label', `health: ${toneLabel(tone, stream.state)}`);
      setText(sub, [stream.id, stream.state, stream.activeInput === null ? null : `input ${stream.activeInput}`].filter((x) => x !== null).join(' · '));
      setText(uptime.value, duration(stream.uptimeSeconds));
      setText(rate.value, fps(stream.progress.fps));
      setText(bits.value, bitrate(stream.progress.bitrateBps));
      setText(pace.value, speed(stream.progress.speed));
      setText(restarts.value, String(stream.restarts));
      setText(checked.value, ago(stream.lastCheckAt, now));
      if (rate.line) drawSparkline(rate.line, history.map((s) => s.fps), `FPS, last minutes`);
      if (bits.line) drawSparkline(bits.line, history.map((s) => s.bitrate), `Bitrate, last minutes`);
      if (pace.line) drawSparkline(pace.line, history.map((s) => s.speed), `Speed, last minutes`);
      setText(lastError, stream.lastError === null ? '' : `Last error: ${stream.lastError}`);
      lastError.hidden = stream.lastError === null;
      actions.update(stream);
    },
  };
}
