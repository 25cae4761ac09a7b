/** Recovery records: what failed, what was done, when it came back. */
import type { RecoveryRecord } from '../../domain/watchdog/recovery-record.js';

export interface StoredRecovery extends RecoveryRecord {
  readonly id: number;
}

export interface RecoveriesRepository {
  recordRecovery(record: RecoveryRecord): Promise<number>;
  /** Newest (by detectedAt) first. */
  listRecoveries(options: { readonly stream?: string; readonly limit: number }): Promise<StoredRecovery[]>;
}
