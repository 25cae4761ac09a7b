/**
 * The Acestream engine client: `GET /server/api?api_version=3&method=get_status`.
 *
 * The engine's HTTP API answers with an envelope `{"result": …, "error": null}` (the same as
 * `/webui/api/service?method=get_version`). Judgement:
 * - HTTP 2xx, a JSON object, `error` null or absent → ok;
 * - HTTP 2xx, a JSON object whose `error` is set → failed (the engine says it is not fine);
 * - HTTP non-2xx → failed;
 * - HTTP 2xx but not a JSON object (HTML, garbage, cut at the size limit) → unparsable (degraded);
 * - refused, reset, timeout → failed (the poller turns an abort at its timeout into the message).
 */
import type { EngineClient, PollAnswer } from '../../domain/engines/engine-client.js';
import { statusTarget, type EngineSpec } from '../../domain/engines/engine-spec.js';
import { describeNetworkError, httpGet, type HttpGetTarget } from './http-get.js';

const MAX_BODY_BYTES = 64 * 1024;

export class AcestreamClient implements EngineClient {
  private readonly target: HttpGetTarget;

  constructor(spec: EngineSpec) {
    this.target = statusTarget({ ...spec, kind: 'acestream' });
  }

  async poll(signal: AbortSignal): Promise<PollAnswer> {
    let result;
    try {
      result = await httpGet(this.target, signal, MAX_BODY_BYTES);
    } catch (error) {
      return { kind: 'failed', message: `get_status failed: ${describeNetworkError(error)}` };
    }
    if (result.status < 200 || result.status > 299) return { kind: 'failed', message: `get_status answered HTTP ${result.status}` };
    return judgeAcestreamBody(result.body, result.truncated);
  }
}

/** Exported for tests: the body of a 2xx get_status answer. */
export function judgeAcestreamBody(body: string, truncated: boolean): PollAnswer {
  if (truncated) return { kind: 'unparsable', message: `get_status body larger than ${MAX_BODY_BYTES} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'unparsable', message: `get_status body is not JSON: ${preview(body)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'unparsable', message: `get_status body is not a JSON object: ${preview(body)}` };
  }
  const error = (parsed as Record<string, unknown>).error;
  if (error !== undefined && error !== null && error !== '') {
    return { kind: 'failed', message: `get_status error: ${preview(typeof error === 'string' ? error : JSON.stringify(error))}` };
  }
  return { kind: 'ok', message: 'get_status ok' };
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 80)}…` : line === '' ? '(empty)' : line;
}
