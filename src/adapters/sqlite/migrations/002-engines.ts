/**
 * Schema version 2: the engine pool. SHIPPED once released: never edit this file
 * (migrations.test.ts pins its checksum); change the schema with a new numbered migration.
 *
 * One row per engine. Claims are JSON: a handful per engine, always read and written with it, so
 * a claim and the usage it stamped are one atomic write.
 */
import type { Migration } from './migration.js';

export const migration002: Migration = {
  version: 2,
  name: 'engines',
  sql: `
CREATE TABLE engines (
  id                TEXT PRIMARY KEY,
  spec_json         TEXT NOT NULL,
  source            TEXT NOT NULL CHECK (source IN ('config', 'api')),
  added_at          INTEGER NOT NULL,
  last_stream_usage INTEGER,
  claims_json       TEXT NOT NULL DEFAULT '[]',
  updated_at        INTEGER NOT NULL
) STRICT;
`,
};
