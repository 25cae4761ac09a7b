/** Start / stop / restart buttons of one stream, sending through the API (which asks for the token). */
import { ActionCancelledError } from './api.js';
import type { Context } from './context.js';
import { button, h } from './dom.js';
import type { StreamDto } from './types.js';

type Action = 'start' | 'stop' | 'restart';
const LABELS: Readonly<Record<Action, string>> = { start: 'Start', stop: 'Stop', restart: 'Restart' };

export interface ActionButtons {
  readonly element: HTMLElement;
  update(stream: StreamDto): void;
}

export function actionButtons(ctx: Context, streamId: string, streamName: () => string): ActionButtons {
  let busy = false;
  const buttons = new Map<Action, HTMLButtonElement>();
  const group = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  // Buttons stay enabled (a disabled button would drop keyboard focus); the API refuses what
  // makes no sense (restart of a stream wanted stopped) with a message that is shown.
  const send = async (action: Action) => {
    if (busy) return;
    busy = true;
    group.setAttribute('aria-busy', 'true');
    const name = streamName();
    try {
      await ctx.api.write('POST', `/api/v1/streams/${encodeURIComponent(streamId)}/${action}`);
      ctx.announce(`${LABELS[action]} ${name}: sent`);
    } catch (error) {
      if (error instanceof ActionCancelledError) ctx.announce(`${LABELS[action]} ${name} was not sent: no token given`, 'error');
      else ctx.announce(`${LABELS[action]} ${name} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
    } finally {
      busy = false;
      group.removeAttribute('aria-busy');
      ctx.live.refreshSoon();
    }
  };
  for (const action of ['start', 'stop', 'restart'] as const) {
    buttons.set(
      action,
      button(LABELS[action], () => void send(action), { class: `action action-${action}`, 'data-action': action, 'aria-label': `${LABELS[action]} ${streamName()}` }),
    );
  }
  group.append(...buttons.values());
  return {
    element: group,
    update(stream) {
      // The action that matches the wanted state is shown as the quiet one.
      for (const [action, element] of buttons) {
        element.classList.toggle('secondary', action === 'start' ? stream.desired === 'running' : stream.desired !== 'running');
        element.setAttribute('aria-label', `${LABELS[action]} ${streamName()}`);
      }
    },
  };
}
