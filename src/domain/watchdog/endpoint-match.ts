/**
 * Which side of the pipeline — an input or the output — a piece of text (an ffmpeg error line,
 * a probed URL) talks about, by comparing the URLs in it with the stream's own, already redacted,
 * input and output URLs. ffmpeg names the failing endpoint in many ways: the full URL
 * (`rtmp://h:1935/live/***: Connection refused`), only its transport
 * (`Connection to tcp://h:1935 failed`), or only its protocol (`[http @ 0x…] HTTP error 404`).
 */
import { MASK } from '../redact.js';

export type Side = 'input' | 'output';

/** The stream's endpoints as shown to users (redacted: compared with redacted log lines). */
export interface Endpoints {
  readonly inputs: readonly string[];
  readonly output?: string;
}

interface ParsedUrl {
  readonly scheme: string;
  readonly host: string;
  /** Explicit port, or the scheme's default; undefined when neither is known. */
  readonly port?: string;
}

const URL_PATTERN = /\b([a-z][a-z0-9+.-]{1,15}):\/\/(?:[^@/?#\s]*@)?(\[[^\]\s]*\]|[^:/?#\s'"]+)(?::(\d+))?/gi;
const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  rtmp: '1935',
  rtmpt: '80',
  rtmps: '443',
  http: '80',
  https: '443',
  rtsp: '554',
  rtsps: '322',
};
/** Protocol tags ffmpeg prints (`[http @ 0x…]`) and the URL schemes they serve. */
const PROTOCOL_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  http: ['http', 'https'],
  https: ['https'],
  hls: ['http', 'https'],
  rtmp: ['rtmp', 'rtmps', 'rtmpt', 'rtmpe', 'rtmpte', 'rtmpts'],
  srt: ['srt'],
  rtsp: ['rtsp', 'rtsps'],
  udp: ['udp', 'rtp'],
};
const PROTOCOL_TAG = /\[(\w+) @ (?:0x)?[0-9a-f]+\]/gi;
/** Messages only ffmpeg's http protocol prints, with or without a tag. */
const HTTP_WORDING = /\b(?:Server returned \d|HTTP error \d)/i;

export function parseUrls(text: string): ParsedUrl[] {
  const found: ParsedUrl[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const scheme = (match[1] ?? '').toLowerCase();
    const host = (match[2] ?? '').toLowerCase();
    const port = match[3] ?? DEFAULT_PORTS[scheme];
    found.push(port === undefined ? { scheme, host } : { scheme, host, port });
  }
  return found;
}

/** The URL without its query and masked last segment: what a log line about it contains. */
function prefixOf(url: string): string {
  const bare = url.split(/[?#]/, 1)[0] ?? url;
  return bare.endsWith(MASK) ? bare.slice(0, -MASK.length) : bare;
}

/** 3: the text holds the endpoint's URL (or path); 2: a URL to its host and port; 1: to its host. */
function score(text: string, endpoint: string): number {
  const prefix = prefixOf(endpoint);
  if (prefix.length >= 4 && text.includes(prefix)) return 3;
  const own = parseUrls(endpoint)[0];
  if (own === undefined) return 0;
  let best = 0;
  for (const url of parseUrls(text)) {
    if (url.host !== own.host) continue;
    best = Math.max(best, url.port !== undefined && url.port === own.port ? 2 : 1);
  }
  return best;
}

/** The side whose endpoint the text names most precisely; undefined when neither or both equally. */
export function sideByUrl(text: string, endpoints: Endpoints): Side | undefined {
  const input = Math.max(0, ...endpoints.inputs.map((url) => score(text, url)));
  const output = endpoints.output === undefined ? 0 : score(text, endpoints.output);
  if (input === output) return undefined;
  return input > output ? 'input' : 'output';
}

/** The side whose endpoints alone speak the protocol the text comes from (`[http @ …]`). */
export function sideByProtocol(text: string, endpoints: Endpoints): Side | undefined {
  const schemes = new Set<string>();
  for (const match of text.matchAll(PROTOCOL_TAG)) {
    for (const scheme of PROTOCOL_FAMILIES[(match[1] ?? '').toLowerCase()] ?? []) schemes.add(scheme);
  }
  if (HTTP_WORDING.test(text)) for (const scheme of PROTOCOL_FAMILIES.http ?? []) schemes.add(scheme);
  if (schemes.size === 0) return undefined;
  const speaks = (url: string): boolean => schemes.has(schemeOf(url));
  const input = endpoints.inputs.some(speaks);
  const output = endpoints.output !== undefined && speaks(endpoints.output);
  if (input === output) return undefined;
  return input ? 'input' : 'output';
}

function schemeOf(url: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
}
