/** The accessible "token required" dialog (a native modal <dialog>: focus is trapped and Esc cancels). */
import { button, h } from './dom.js';
import type { TokenPrompt } from './api.js';

export function createTokenDialog(): TokenPrompt {
  const input = h('input', { id: 'token-input', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = h('p', { class: 'dialog-error', id: 'token-error', role: 'alert' });
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', { id: 'token-title' }, 'Token required'),
    h('p', { id: 'token-help' }, 'This daemon needs its API token for actions. It is kept for this browser tab only.'),
    h('label', { for: 'token-input' }, 'API token'),
    input,
    error,
    h(
      'div',
      { class: 'dialog-buttons' },
      // Not a submit button: Enter in the field must send, not cancel (the first submit button wins).
      button('Cancel', () => dialog.close('cancel'), { class: 'secondary' }),
      h('button', { type: 'submit', value: 'send' }, 'Send'),
    ),
  );
  const dialog = h('dialog', { class: 'token-dialog', 'aria-labelledby': 'token-title', 'aria-describedby': 'token-help' }, form);
  input.setAttribute('aria-describedby', 'token-error');
  document.body.appendChild(dialog);

  return {
    ask(wrong) {
      error.textContent = wrong ? 'That token was refused. Check it and try again.' : '';
      input.setAttribute('aria-invalid', wrong ? 'true' : 'false');
      input.value = '';
      dialog.returnValue = '';
      return new Promise((resolve) => {
        dialog.addEventListener(
          'close',
          () => {
            const token = input.value.trim();
            input.value = '';
            resolve(dialog.returnValue === 'send' && token !== '' ? token : undefined);
          },
          { once: true },
        );
        dialog.showModal();
        input.focus();
      });
    },
  };
}
