/**
 * Engine definitions from the API (and reusable by the config schema): one zod schema, every
 * problem reported as `path: message`, http conditions parsed up front so a bad one is a 400.
 */
import { z } from 'zod';
import { parseConditions } from '../domain/http-conditions.js';
import { InvalidEngineError } from '../domain/engines/engine-errors.js';
import { DEFAULT_ENGINE_CAPACITY, ENGINE_ID_PATTERN, STATUS_PATH_PATTERN, type EngineSpec } from '../domain/engines/engine-spec.js';
import { errorMessage } from '../domain/error-message.js';

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/;
const HOST = /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[?[0-9A-Fa-f:.]+\]?)$/;

export const engineLabelsSchema = z.record(z.string().regex(LABEL_KEY, 'label keys are letters, digits, _ . / -'), z.string().max(200)).refine(
  (labels) => Object.keys(labels).length <= 32,
  'at most 32 labels',
);

export const engineSpecSchema = z
  .strictObject({
    id: z.string().regex(ENGINE_ID_PATTERN, 'must match [a-z0-9][a-z0-9_-]{0,62}'),
    host: z.string().regex(HOST, 'must be a host name or an IP address'),
    port: z.number().int().min(1).max(65_535),
    kind: z.enum(['acestream', 'http']).default('acestream'),
    path: z.string().regex(STATUS_PATH_PATTERN, 'must start with / and hold only visible ASCII (no spaces)').max(2_000).optional(),
    conditions: z.array(z.string()).max(20).optional(),
    capacity: z.number().int().min(1).max(100_000).default(DEFAULT_ENGINE_CAPACITY),
    labels: engineLabelsSchema.default({}),
  })
  .superRefine((engine, context) => {
    if (engine.kind !== 'http') {
      if (engine.path !== undefined) context.addIssue({ code: 'custom', path: ['path'], message: 'only for kind http' });
      if (engine.conditions !== undefined) context.addIssue({ code: 'custom', path: ['conditions'], message: 'only for kind http' });
      return;
    }
    (engine.conditions ?? []).forEach((condition, i) => {
      try {
        parseConditions([condition]);
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['conditions', i], message: errorMessage(error) });
      }
    });
  });

/** Validates an engine body; throws InvalidEngineError listing every problem. */
export function parseEngineBody(body: unknown): EngineSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidEngineError(['(body): must be a JSON object']);
  const parsed = engineSpecSchema.safeParse(body);
  if (!parsed.success) {
    throw new InvalidEngineError(parsed.error.issues.map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.')}: ${issue.message}`));
  }
  const { path, conditions, ...rest } = parsed.data;
  return { ...rest, ...(path !== undefined && { path }), ...(conditions !== undefined && { conditions }) };
}

const acquireSchema = z.strictObject({
  labels: engineLabelsSchema.optional(),
  stream: z.string().min(1).max(200).optional(),
});

export interface AcquireBody {
  readonly labels?: Readonly<Record<string, string>>;
  readonly stream?: string;
}

/** `{labels?, stream?}`; an empty body is `{}`. */
export function parseAcquireBody(body: unknown): AcquireBody {
  if (body === undefined || body === null) return {};
  const parsed = acquireSchema.safeParse(body);
  if (!parsed.success) throw new InvalidEngineError(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`));
  return {
    ...(parsed.data.labels !== undefined && { labels: parsed.data.labels }),
    ...(parsed.data.stream !== undefined && { stream: parsed.data.stream }),
  };
}
