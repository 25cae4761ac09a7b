/**
 * One stream: figures and actions, the HLS preview, its checks with their last result, the
 * recovery timeline, the runs with their exit reasons and the recent (redacted) ffmpeg log.
 */
import { actionButtons } from '../actions.js';
import { ApiError } from '../api.js';
import type { Context, View } from '../context.js';
import { fill, h, setText } from '../dom.js';
import { ago, bitrate, clockTime, duration, fps, shortSeconds, speed, streamTone, toneLabel } from '../format.js';
import { attachPreview } from '../preview.js';
import { drawSparkline, sparklineElement } from '../sparkline.js';
import type { CheckDto, LogsDto, RecoveryDto, RunDto, StreamDetailDto } from '../types.js';

const DETAIL_MS = 3_000;
const LOG_LINES = 200;

function table(label: string, headings: readonly string[], rows: readonly HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label },
    h('table', {}, h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows)),
  );
}

const checkTone = (status: string) => (status === 'pass' ? 'healthy' : status === 'fail' ? 'unhealthy' : 'unknown');

function checkRow(check: CheckDto, now: number): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-check': check.name, 'data-tone': checkTone(check.status) },
    h('th', { scope: 'row' }, check.name, check.informational ? h('span', { class: 'muted' }, ' (informational)') : null),
    h('td', {}, check.type),
    h('td', {}, h('span', { class: 'badge' }, check.status)),
    h('td', { class: 'wrap' }, check.lastMessage ?? '–', check.note === null ? null : h('span', { class: 'muted' }, ` (${check.note})`)),
    h('td', {}, ago(check.lastCheckedAt, now)),
    h('td', {}, ago(check.lastSuccessAt, now)),
    h('td', {}, String(check.consecutiveFailures)),
  );
}

function recoveryItem(recovery: RecoveryDto): HTMLLIElement {
  const done = recovery.recoveredAt !== null;
  return h(
    'li',
    { class: `timeline-item tone-${done ? 'good' : 'warn'}` },
    h('p', { class: 'timeline-head' }, h('time', { datetime: recovery.failedAt }, clockTime(recovery.failedAt)), ' ', h('strong', {}, recovery.locus === 'unknown' ? recovery.cause : `${recovery.cause} at ${recovery.locus}`)),
    h('p', { class: 'wrap' }, recovery.detail),
    h(
      'ol',
      { class: 'timeline-actions', 'aria-label': 'What was done' },
      ...recovery.actions.map((a) => h('li', {}, h('time', { datetime: a.at }, clockTime(a.at)), ` ${a.type}: ${a.reason}`)),
    ),
    h(
      'p',
      { class: 'timeline-times' },
      `Detected after ${shortSeconds(recovery.detectedAfterSeconds)} · `,
      done ? `recovered after ${shortSeconds(recovery.recoveredAfterSeconds)}` : 'recovery in progress',
    ),
  );
}

function runRow(run: RunDto): HTMLTableRowElement {
  const exit = run.signal ?? (run.exitCode === null ? '–' : `code ${run.exitCode}`);
  return h(
    'tr',
    { 'data-run': run.runId },
    h('th', { scope: 'row' }, `#${run.runId}`),
    h('td', {}, h('time', { datetime: run.startedAt }, clockTime(run.startedAt))),
    h('td', {}, duration(run.durationSeconds)),
    h('td', {}, run.reason ?? 'running'),
    h('td', {}, exit),
    h('td', { class: 'wrap' }, run.lastError ?? ''),
  );
}

export function streamPageView(main: HTMLElement, ctx: Context, id: string): View {
  let detail: StreamDetailDto | undefined;
  let disposed = false;
  let timer: number | undefined;
  let stopPreview: (() => void) | undefined;
  let previewUrl: string | undefined;

  const title = h('h1', { id: 'stream-title' }, id);
  const badge = h('span', { class: 'badge' });
  const head = h('div', { class: 'page-head', 'data-stream-page': id }, h('span', { class: 'dot', 'aria-hidden': 'true' }), title, badge);
  const actions = actionButtons(ctx, id, () => detail?.name ?? id);
  const reason = h('p', { class: 'health-reason' });
  const figures = h('dl', { class: 'metrics metrics-wide' });
  const sparkFps = sparklineElement();
  const sparkBitrate = sparklineElement();
  const sparkSpeed = sparklineElement();
  const previewSection = h('section', { 'aria-labelledby': 'preview-title', class: 'preview', hidden: true });
  const checks = h('div');
  const recoveries = h('div');
  const runs = h('div');
  const log = h('pre', { class: 'log', tabindex: 0, 'aria-label': 'Recent ffmpeg log, newest last' });
  const problem = h('p', { class: 'muted', role: 'status' });

  fill(
    main,
    h('p', {}, h('a', { href: '#/' }, '← All streams')),
    head,
    problem,
    reason,
    actions.element,
    figures,
    previewSection,
    h('section', { 'aria-labelledby': 'checks-title' }, h('h2', { id: 'checks-title' }, 'Checks'), checks),
    h('section', { 'aria-labelledby': 'recoveries-title' }, h('h2', { id: 'recoveries-title' }, 'Recoveries'), recoveries),
    h('section', { 'aria-labelledby': 'runs-title' }, h('h2', { id: 'runs-title' }, 'Runs'), runs),
    h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Recent log'), log),
  );

  const metric = (label: string, value: string, line?: SVGSVGElement) => h('div', { class: 'metric' }, h('dt', {}, label), h('dd', {}, h('span', { class: 'value' }, value), line ?? null));

  const renderFigures = (d: StreamDetailDto) => {
    const now = Date.now();
    const history = ctx.live.history.get(id) ?? [];
    drawSparkline(sparkFps, history.map((s) => s.fps), 'FPS, last minutes');
    drawSparkline(sparkBitrate, history.map((s) => s.bitrate), 'Bitrate, last minutes');
    drawSparkline(sparkSpeed, history.map((s) => s.speed), 'Speed, last minutes');
    const input = d.input === null ? d.activeInput : `${d.activeInput ?? '?'} (${d.input.active + 1} of ${d.input.count}, ${d.input.switches} switches)`;
    fill(
      figures,
      metric('State', `${d.state} (wanted ${d.desired})`),
      metric('Uptime', duration(d.uptimeSeconds)),
      metric('FPS', fps(d.progress.fps), sparkFps),
      metric('Bitrate', bitrate(d.progress.bitrateBps), sparkBitrate),
      metric('Speed', speed(d.progress.speed), sparkSpeed),
      metric('Restarts', String(d.restarts)),
      metric('PID', d.pid === null ? '–' : String(d.pid)),
      metric('Last check', ago(d.lastCheckAt, now)),
      input === null ? null : metric('Input', input),
      d.engine === null ? null : metric('Engine', d.engine),
      d.lastError === null ? null : metric('Last error', d.lastError),
    );
  };

  const renderHead = (d: StreamDetailDto) => {
    // The list may be newer than the detail (events patch it at once).
    const live = ctx.live.stream(id);
    const state = live?.state ?? d.state;
    const tone = streamTone(state, live?.health ?? d.health);
    head.dataset['tone'] = tone;
    setText(title, d.name);
    setText(badge, toneLabel(tone, state));
    setText(reason, d.healthReason);
    actions.update(live ?? d);
    document.title = `${d.name} · streamwarden`;
  };

  const renderPreview = (d: StreamDetailDto) => {
    const url = d.preview?.hls;
    if (url === previewUrl) return;
    stopPreview?.();
    stopPreview = undefined;
    previewUrl = url;
    previewSection.hidden = url === undefined;
    if (url === undefined) return;
    const video = h('video', { controls: true, muted: true, playsinline: true, 'aria-label': `Live preview of ${d.name}` });
    video.muted = true;
    const state = h('p', { class: 'muted', role: 'status' });
    previewSection.dataset['previewState'] = 'loading';
    fill(previewSection, h('h2', { id: 'preview-title' }, 'Preview'), video, state);
    attachPreview(video, url, (s, text) => {
      previewSection.dataset['previewState'] = s;
      setText(state, s === 'playing' ? '' : s === 'error' ? `Preview unavailable: ${text ?? 'error'}` : (text ?? 'Loading the preview…'));
    })
      .then((stop) => {
        if (disposed || previewUrl !== url) stop();
        else stopPreview = stop;
      })
      .catch((error: unknown) => setText(state, `Preview unavailable: ${error instanceof Error ? error.message : String(error)}`));
  };

  const load = async () => {
    const now = Date.now();
    try {
      const base = `/api/v1/streams/${encodeURIComponent(id)}`;
      const [d, runList, logs] = await Promise.all([
        ctx.api.get<StreamDetailDto>(base),
        ctx.api.get<RunDto[]>(`${base}/runs`),
        ctx.api.get<LogsDto>(`${base}/logs?lines=${LOG_LINES}`),
      ]);
      if (disposed) return;
      detail = d;
      setText(problem, '');
      renderHead(d);
      renderFigures(d);
      renderPreview(d);
      fill(checks, table('Checks table', ['Check', 'Type', 'Status', 'Last result', 'Last checked', 'Last success', 'Failures'], d.checks.map((c) => checkRow(c, now)), 'No checks.'));
      fill(
        recoveries,
        d.recoveries.length === 0
          ? h('p', { class: 'muted' }, 'No recoveries by the watchdog yet. Automatic restarts are listed under Runs.')
          : h('ol', { class: 'timeline' }, ...d.recoveries.map(recoveryItem)),
      );
      fill(runs, table('Runs table', ['Run', 'Started', 'Duration', 'Ended', 'Exit', 'Last error'], runList.map(runRow), 'No runs yet.'));
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      setText(log, logs.lines.length === 0 ? '(no output yet)' : logs.lines.join('\n'));
      if (atBottom) log.scrollTop = log.scrollHeight;
    } catch (error) {
      if (disposed) return;
      setText(problem, error instanceof ApiError && error.status === 404 ? `There is no stream "${id}".` : `Cannot read the stream: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      void load().finally(() => {
        if (!disposed) schedule();
      });
    }, DETAIL_MS);
  };
  void load().finally(schedule);

  return {
    update() {
      if (detail) renderHead(detail);
    },
    dispose() {
      disposed = true;
      window.clearTimeout(timer);
      stopPreview?.();
    },
  };
}
