/**
 * The generic `http` engine client: GET `path`, expect 2xx, then the Gatus-like conditions of
 * domain/http-conditions.ts (status, responseTime, body.<path>).
 * - network error / timeout / non-2xx / a failed condition → failed;
 * - a condition on `body.<path>` that cannot be evaluated because the body is not JSON (or is cut
 *   at the size limit) → unparsable (degraded): the engine answered, but not in a form we read.
 * Conditions are parsed in the constructor: a bad one throws ConditionSyntaxError (validate
 * engine specs with parseEngineBody, which does the same, before building a client).
 */
import type { EngineClient, PollAnswer } from '../../domain/engines/engine-client.js';
import { statusTarget, type EngineSpec } from '../../domain/engines/engine-spec.js';
import { evaluateConditions, parseConditions, type Condition } from '../../domain/http-conditions.js';
import { describeNetworkError, httpGet, type HttpGetTarget } from './http-get.js';

const MAX_BODY_BYTES = 256 * 1024;
const UNPARSABLE = [': the body is not JSON', ': the body is larger than the size limit'];

export class HttpEngineClient implements EngineClient {
  private readonly target: HttpGetTarget;
  private readonly conditions: readonly Condition[];

  constructor(spec: EngineSpec) {
    this.target = statusTarget({ ...spec, kind: 'http' });
    this.conditions = parseConditions(spec.conditions ?? []);
  }

  async poll(signal: AbortSignal): Promise<PollAnswer> {
    let result;
    try {
      result = await httpGet(this.target, signal, MAX_BODY_BYTES);
    } catch (error) {
      return { kind: 'failed', message: `GET failed: ${describeNetworkError(error)}` };
    }
    if (result.status < 200 || result.status > 299) return { kind: 'failed', message: `HTTP ${result.status}` };
    const outcomes = evaluateConditions(this.conditions, {
      status: result.status,
      responseTimeMs: result.elapsedMs,
      bodyText: result.body,
      bodyTruncated: result.truncated,
    });
    const failed = outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.message);
    if (failed.length === 0) return { kind: 'ok', message: `HTTP ${result.status}` };
    const unparsable = failed.some((message) => UNPARSABLE.some((suffix) => message.endsWith(suffix)));
    return { kind: unparsable ? 'unparsable' : 'failed', message: failed.join('; ') };
  }
}
