/**
 * Redaction of stream keys and credentials (DESIGN §8). Everything that leaves the process —
 * logs, API responses, events, the dashboard — goes through a redactor first. It runs on every
 * stored ffmpeg line, so regexes are compiled once and each pass is skipped when its cheap
 * precondition (e.g. `://` in the text) does not hold.
 */

/** Masks secrets in free text; pure and safe to call on any string. */
export type Redactor = (text: string) => string;

export const MASK = '***';

/** Query (and srt option) parameters whose values are credentials. Compared lowercased. */
const SENSITIVE_PARAMS: ReadonlySet<string> = new Set([
  'streamid',
  'passphrase',
  'key',
  'token',
  'access_token',
  'secret',
  'sig',
  'signature',
  'auth',
  'password',
  'api_key',
  'apikey',
]);

/** RTMP flavours put the stream key in the last path segment. */
const PATH_KEY_SCHEMES: ReadonlySet<string> = new Set(['rtmp', 'rtmps', 'rtmpe', 'rtmpt', 'rtmpte', 'rtmpts']);

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// Discord `/api[/vN]/webhooks/{id}/{token}`, Slack `/services/T…/B…/{token}`,
// Telegram `/bot{id}:{token}/method`: the credential is in the path.
const WEBHOOK_PATHS: readonly (readonly [RegExp, string])[] = [
  [/(\/api(?:\/v\d+)?\/webhooks\/)[^?#]+/i, `$1${MASK}`],
  [/^(\/services\/)[^?#]+/, `$1${MASK}`],
  [/(\/bot)\d+:[^/?#]+/, `$1${MASK}`],
];

/** A URL inside free text: ends at whitespace, a quote or an angle bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s'"<>`]+/gi;
/** Sentence punctuation glued to a URL in a log line (`…/live/key:`) is not part of it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
/** A bare Telegram bot token (`123456789:AA…`), also outside URLs. */
const TELEGRAM_TOKEN = /\b(bot)?\d{6,12}:[A-Za-z0-9_-]{30,}/g;

/** Options whose next argv element is a credential however it is written. */
const SENSITIVE_OPTIONS: ReadonlySet<string> = new Set([
  '-passphrase',
  '-streamid',
  '-rtmp_playpath',
  '-rtmp_conn',
  '-headers',
  '-cookies',
  '-key',
  '-password',
  '-encryption_key',
  '-decryption_key',
  '-cenc_decryption_key',
  '-hls_enc_key',
  '-srtp_in_params',
  '-srtp_out_params',
]);

/**
 * Redacts one URL: user-info, the last path segment of rtmp(s) URLs, credential query
 * parameters (including srt `streamid` / `passphrase`) and webhook / bot tokens in paths.
 * Text that is not `scheme://…` is returned unchanged. Does not normalise the URL (no WHATWG
 * parsing), so whatever is not secret reads exactly as configured.
 */
export function redactUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  if (scheme === null) return url;
  const schemeName = (scheme[1] ?? '').toLowerCase();
  const prefix = scheme[0];
  const rest = url.slice(prefix.length);

  const authorityEnd = firstIndexOf(rest, ['/', '?', '#']);
  let authority = rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = `${MASK}@${authority.slice(at + 1)}`;

  // Parameters start at `?`, or at `#` when there is no `?` (OAuth-style fragments). An srt
  // streamid may itself contain `#` (`#!::r=…`), so a `#` after `?` is not a fragment.
  const afterAuthority = rest.slice(authorityEnd);
  let paramsStart = afterAuthority.indexOf('?');
  if (paramsStart < 0) paramsStart = afterAuthority.indexOf('#');
  if (paramsStart < 0) paramsStart = afterAuthority.length;
  let path = afterAuthority.slice(0, paramsStart);
  const params = afterAuthority.slice(paramsStart);

  if (PATH_KEY_SCHEMES.has(schemeName)) {
    path = maskLastSegment(path);
  } else {
    for (const [pattern, replacement] of WEBHOOK_PATHS) path = path.replace(pattern, replacement);
  }
  return `${prefix}${authority}${path}${params.slice(0, 1)}${redactParams(params.slice(1))}`;
}

/**
 * A redactor for free text: masks every known secret (exact and URL-encoded; secrets shorter
 * than 4 characters are ignored, they would mask ordinary words), every URL (see redactUrl)
 * and bare Telegram bot tokens.
 */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
  }
  // Longest first so a secret that contains another is masked whole.
  const sorted = [...variants].sort((a, b) => b.length - a.length);
  const secretPattern = sorted.length === 0 ? undefined : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');

  return (text: string): string => {
    let out = text;
    if (secretPattern !== undefined) out = out.replace(secretPattern, MASK);
    if (out.includes('://')) out = out.replace(URL_IN_TEXT, redactUrlInText);
    if (out.includes(':')) out = out.replace(TELEGRAM_TOKEN, (_m, bot: string | undefined) => `${bot ?? ''}${MASK}`);
    return out;
  };
}

/** The redactor for text with no configured secrets: URLs and tokens only. */
export const defaultRedactor: Redactor = createRedactor();

/**
 * An argv safe to show: every element through the redactor, and the value after a
 * credential-bearing option (`-passphrase`, `-headers`, `-rtmp_playpath`, …) masked whole.
 */
export function redactArgs(argv: readonly string[], redactor: Redactor = defaultRedactor): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    out.push(maskNext ? MASK : redactor(arg));
    maskNext = SENSITIVE_OPTIONS.has(arg);
  }
  return out;
}

function redactUrlInText(match: string): string {
  const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
  return redactUrl(match.slice(0, match.length - trailing.length)) + trailing;
}

function maskLastSegment(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  const start = path.lastIndexOf('/', end - 1) + 1;
  if (end === 0 || start >= end) return path;
  return `${path.slice(0, start)}${MASK}${path.slice(end)}`;
}

function redactParams(params: string): string {
  return params
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = part.slice(0, eq).toLowerCase();
      return SENSITIVE_PARAMS.has(name) ? `${part.slice(0, eq)}=${MASK}` : part;
    })
    .join('&');
}

function firstIndexOf(text: string, needles: readonly string[]): number {
  let best = text.length;
  for (const needle of needles) {
    const index = text.indexOf(needle);
    if (index >= 0 && index < best) best = index;
  }
  return best;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
