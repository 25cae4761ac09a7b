/**
 * One message carries each alert once, in its net state. Notices to one notifier are grouped
 * over a short window; within it one alert may fire, resolve and fire again (a flap). Sent as is,
 * that is one post holding three items with the same identity (the same Alertmanager
 * fingerprint) and opposite statuses, which receivers cannot order. So only the alert's last
 * item is kept, at the place of its last notice: what holds when the message is written.
 *
 * - firing → resolved → firing: one `firing` (it never stopped for the receiver);
 * - firing → resolved (both in the window): one `resolved`, whose `since` / `endedAt` still tell
 *   that a short incident happened and ended (no notice is lost);
 * - a first notice followed by reminders: one first notice (`reminder` dropped).
 * One-off events (publisher dropped, input switched) have keys of their own and are all kept.
 */
import type { AlertItem } from './message.js';

export function coalesceItems(items: readonly AlertItem[]): AlertItem[] {
  const last = new Map<string, number>();
  items.forEach((item, index) => last.set(item.key, index));
  const out: AlertItem[] = [];
  items.forEach((item, index) => {
    if (last.get(item.key) !== index) return;
    const firstNotice = item.reminder === true && items.some((earlier, i) => i < index && earlier.key === item.key && earlier.status === 'firing' && earlier.reminder !== true);
    if (!firstNotice) {
      out.push(item);
      return;
    }
    const { reminder: _reminder, ...rest } = item;
    out.push(rest);
  });
  return out;
}
