/** Small zod building blocks shared by the config schemas. */
import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { STREAM_ID_PATTERN } from '../domain/stream-spec.js';

export const DURATION_HINT = 'expected a duration like "30s"';

/** A duration string ("500ms", "3s", "10m", "1m30s") → milliseconds. `positive` rejects "0s". */
export function duration(options: { positive?: boolean } = {}) {
  return z.string({ error: DURATION_HINT }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: DURATION_HINT });
    else if (options.positive && ms <= 0) ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
    else return ms;
    return z.NEVER;
  });
}

export const text = z.string().min(1);

/** A schema-level message for a wrong type only; other issues keep the shared error map's. */
export function typeError(message: string): z.core.$ZodErrorMap {
  return (issue) => (issue.code === 'invalid_type' ? message : undefined);
}

/** Ids become metric labels, URLs and CLI arguments: keep them short and plain. */
export const id = z.string().regex(STREAM_ID_PATTERN, {
  error: 'expected an id of lowercase letters, digits, "-" and "_", starting with a letter or digit (at most 63)',
});

export const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'expected an http:// or https:// URL' },
);

export const positiveInt = z.int().min(1);

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|k|kB|KB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)?$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1, k: 1e3, kB: 1e3, KB: 1e3, KiB: 1024, M: 1e6, MB: 1e6, MiB: 1024 ** 2,
  G: 1e9, GB: 1e9, GiB: 1024 ** 3, T: 1e12, TB: 1e12, TiB: 1024 ** 4,
};
const SIZE_HINT = 'expected a size like "512MiB" or a number of bytes';

/** A byte count: a number, or a string like "512MiB" / "2GB" (KiB = 1024, KB = 1000). */
export const byteSize = z.union([z.number(), z.string()], { error: SIZE_HINT }).transform((value, ctx) => {
  let bytes = typeof value === 'number' ? value : Number.NaN;
  const match = typeof value === 'string' ? SIZE.exec(value.trim()) : null;
  if (match) bytes = Math.round(Number(match[1]) * (SIZE_UNITS[match[2] ?? 'B'] ?? Number.NaN));
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: SIZE_HINT });
    return z.NEVER;
  }
  return bytes;
});

const LISTEN = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/;

/** "host:port" (IPv6 as "[::1]:8787"); port 0 asks the OS for a free one (tests use that). */
export const listen = z.string().transform((value, ctx) => {
  const match = LISTEN.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !(port >= 0 && port <= 65_535)) {
    ctx.addIssue({ code: 'custom', message: 'expected "host:port" like "127.0.0.1:8787"' });
    return z.NEVER;
  }
  return { host, port };
});
