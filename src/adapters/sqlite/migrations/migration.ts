/** One numbered schema step: plain SQL, applied once, in its own transaction. */
export interface Migration {
  /** 1, 2, 3, … without gaps; the schema version once applied (PRAGMA user_version). */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
