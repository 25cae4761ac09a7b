/** Sample values for the Store contract suite. */
import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_POLICY, type StreamSpec } from '../../src/domain/stream-spec.js';
import type { RecoveryRecord } from '../../src/domain/watchdog/recovery-record.js';
import type { RunEndInput, RuntimeEntry, Store } from '../../src/ports/store.js';

export interface StoreUnderTest {
  readonly store: Store;
  /** Closes the store (if still open) and removes whatever it created. */
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreUnderTest>;

export const T0 = 1_700_000_000_000;

export function spec(id: string, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    id,
    name: `Stream ${id}`,
    desired: 'running',
    source: { kind: 'args', args: ['-re', '-i', 'in.mp4', '-f', 'flv', `rtmp://127.0.0.1/live/${id}`] },
    restart: DEFAULT_RESTART_POLICY,
    stop: DEFAULT_STOP_POLICY,
    startTimeoutMs: 30_000,
    stallTimeoutMs: 10_000,
    checks: [],
    onUnhealthy: ['restart'],
    notify: [],
    ...overrides,
  };
}

export function runtimeEntry(stream: string, runId: number, overrides: Partial<RuntimeEntry> = {}): RuntimeEntry {
  return {
    stream,
    runId,
    pid: 4242,
    pgid: 4242,
    startTicks: 123_456_789,
    bootId: '6f1c2a8e-0d3b-4c55-9a0e-3f5b7c9d1e2f',
    specHash: 'sha256:abc',
    paths: {
      dir: `/run/streamwarden/${stream}`,
      progressPipe: `/run/streamwarden/${stream}/progress`,
      stderrPipe: `/run/streamwarden/${stream}/stderr`,
    },
    startedAt: T0,
    ...overrides,
  };
}

export function runEnd(endedAt: number, overrides: Partial<RunEndInput> = {}): RunEndInput {
  return {
    endedAt,
    reason: 'exited',
    exitCode: 1,
    signal: null,
    lastError: 'Connection refused',
    firstLines: ['ffmpeg version 6.1', 'Input #0, lavfi'],
    lastLines: ['[rtmp @ 0x1] Connection refused', 'Conversion failed!'],
    ...overrides,
  };
}

export function recovery(stream: string, detectedAt: number, overrides: Partial<RecoveryRecord> = {}): RecoveryRecord {
  return {
    stream,
    cause: 'connection-refused',
    locus: 'output',
    detail: '[rtmp @ 0x1] Connection refused',
    action: 'restart',
    actions: [{ type: 'restart', at: detectedAt + 10, reason: 'no progress' }],
    failedAt: detectedAt - 5_000,
    detectedAt,
    detectedAfterMs: 5_000,
    recoveredAt: detectedAt + 2_000,
    recoveredAfterMs: 2_000,
    ...overrides,
  };
}
