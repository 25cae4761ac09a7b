/** The API's shapes, shared with the daemon (type-only imports: nothing of the daemon is bundled). */
export type {
  CheckDto,
  RecoveryDto,
  RunDto,
  RunSummaryDto,
  StreamDetailDto,
  StreamDto,
} from '../../src/http/stream-dto.js';
export type { EngineDto } from '../../src/http/routes/engines.js';

/** What GET /api/v1/streams/:id/logs answers. */
export interface LogsDto {
  streamId: string;
  runId: number | null;
  lines: string[];
}

/** One entry of the events feed, from an SSE frame's JSON. */
export interface FeedEvent {
  id: string;
  type: 'state' | 'health' | 'recovery' | 'notification';
  streamId: string | undefined;
  at: string;
  text: string;
  /** For colouring: the health or severity the event speaks of. */
  tone: 'good' | 'warn' | 'bad' | 'neutral';
}
