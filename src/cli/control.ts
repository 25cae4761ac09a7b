/** `streamwarden start|stop|restart ID`: one POST to the daemon's API. Exit 0 on success, 1 otherwise. */
import type { StreamDto } from '../http/stream-dto.js';
import { callApi, type ApiOptions } from './api-client.js';

export type StreamAction = 'start' | 'stop' | 'restart';

const DONE: Readonly<Record<StreamAction, string>> = {
  start: 'start requested',
  stop: 'stop requested',
  restart: 'restart requested',
};

export interface ControlOptions extends ApiOptions {
  readonly json: boolean;
}

export async function controlStream(
  action: StreamAction,
  id: string,
  options: ControlOptions,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const result = await callApi<StreamDto>('POST', `/api/v1/streams/${encodeURIComponent(id)}/${action}`, options);
  if (!result.ok) {
    err(`streamwarden: ${action} ${id}: ${result.message}`);
    return 1;
  }
  const stream = result.body;
  if (options.json) out(JSON.stringify(stream, null, 2));
  else out(`${stream.id}: ${DONE[action]} (state ${stream.state}, desired ${stream.desired})`);
  return 0;
}
