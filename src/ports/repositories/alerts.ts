/** Alert states by key (firing or resolved), so a restarted daemon neither repeats nor forgets one. */
import type { JsonValue } from './json-value.js';

export type AlertStatus = 'firing' | 'resolved';

export interface AlertState {
  /** The alert's identity, e.g. `stream-down:cam1`. */
  readonly key: string;
  readonly status: AlertStatus;
  /** When it entered `status`. */
  readonly since: number;
  readonly lastNotifiedAt?: number;
  readonly stream?: string;
  readonly payload: JsonValue;
}

export interface AlertInput extends Omit<AlertState, 'payload'> {
  readonly payload: unknown;
}

export interface AlertsRepository {
  /** Upserts by key. */
  putAlert(alert: AlertInput): Promise<void>;
  getAlert(key: string): Promise<AlertState | undefined>;
  /** Ordered by key. */
  listAlerts(options?: { readonly status?: AlertStatus }): Promise<AlertState[]>;
}
