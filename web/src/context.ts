/** What every view gets. */
import type { Api } from './api.js';
import type { LiveModel } from './live.js';

export interface Context {
  readonly api: Api;
  readonly live: LiveModel;
  /** Shows a short message in the notice bar, read out by screen readers. */
  announce(text: string, tone?: 'info' | 'error'): void;
}

export interface View {
  /** Called when the live model changed (new list, an event, the connection). */
  update(): void;
  dispose(): void;
}
