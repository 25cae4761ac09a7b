/**
 * The reference controller's one web page: the desired streams with start / stop buttons (plain
 * HTML forms, no script). Shows ids, names and desired states only: never URLs or arguments,
 * which carry stream keys.
 */
import type { StreamEntry } from '../config/stream-entry.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function renderPage(streams: readonly StreamEntry[], version: number, clients: number, tokenQuery: string): string {
  const rows = streams
    .map((entry) => {
      const id = typeof entry.id === 'string' ? entry.id : '';
      const name = typeof entry.name === 'string' ? entry.name : id;
      const desired = entry.desired === 'stopped' ? 'stopped' : 'running';
      const action = desired === 'running' ? 'stop' : 'start';
      const path = `/streams/${encodeURIComponent(id)}/${action}${tokenQuery}`;
      return `<tr><td><code>${escapeHtml(id)}</code></td><td>${escapeHtml(name)}</td><td class="${desired}">${desired}</td>
<td><form method="post" action="${escapeHtml(path)}"><button type="submit">${action}</button></form></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>streamwarden reference controller</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.running{color:#080}.stopped{color:#888}</style>
</head><body>
<h1>streamwarden reference controller</h1>
<p>Desired set version ${version}; ${clients} edge connection${clients === 1 ? '' : 's'}. Edges subscribe to <code>GET /events</code>.</p>
<table><thead><tr><th>id</th><th>name</th><th>desired</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="4">no streams</td></tr>'}
</tbody></table>
</body></html>
`;
}
