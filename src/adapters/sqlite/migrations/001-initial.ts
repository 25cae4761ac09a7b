/**
 * Schema version 1. SHIPPED: never edit this file (migrations.test.ts pins its checksum); change
 * the schema with a new numbered migration instead.
 *
 * No foreign key ties runs, runtime entries or history to `streams`: history outlives a deleted
 * stream, and a runtime entry must outlive its spec so that a restarted daemon can still find and
 * stop a process started for a stream that is gone. AUTOINCREMENT keeps ids from being reused
 * after pruning (event ids are resume cursors, run ids are referenced by the registry).
 */
import type { Migration } from './migration.js';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO store_meta (key, value) VALUES ('generation', 0), ('writable_check', 0);

CREATE TABLE streams (
  id         TEXT PRIMARY KEY,
  spec_json  TEXT NOT NULL,
  desired    TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
  owner      TEXT NOT NULL CHECK (owner IN ('file', 'api', 'controller')),
  generation INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  stream           TEXT NOT NULL,
  started_at       INTEGER NOT NULL,
  pid              INTEGER,
  spec_hash        TEXT,
  ended_at         INTEGER,
  reason           TEXT,
  exit_code        INTEGER,
  signal           TEXT,
  last_error       TEXT,
  first_lines_json TEXT,
  last_lines_json  TEXT
) STRICT;
CREATE INDEX runs_by_stream ON runs (stream, started_at DESC, id DESC);

CREATE TABLE runtime (
  stream       TEXT PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  pid          INTEGER NOT NULL,
  pgid         INTEGER NOT NULL,
  start_ticks  INTEGER NOT NULL,
  boot_id      TEXT NOT NULL,
  spec_hash    TEXT NOT NULL,
  cmdline_hash TEXT,
  paths_json   TEXT NOT NULL,
  started_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE recoveries (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  stream             TEXT NOT NULL,
  cause              TEXT NOT NULL,
  locus              TEXT NOT NULL,
  action             TEXT NOT NULL,
  detail             TEXT NOT NULL,
  actions_json       TEXT NOT NULL,
  failed_at          INTEGER NOT NULL,
  detected_at        INTEGER NOT NULL,
  detected_after_ms  INTEGER NOT NULL,
  recovered_at       INTEGER,
  recovered_after_ms INTEGER
) STRICT;
CREATE INDEX recoveries_by_time ON recoveries (detected_at);
CREATE INDEX recoveries_by_stream ON recoveries (stream, detected_at);

CREATE TABLE events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  type         TEXT NOT NULL,
  stream       TEXT,
  payload_json TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_time ON events (at);

CREATE TABLE alerts (
  key              TEXT PRIMARY KEY,
  status           TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  since            INTEGER NOT NULL,
  last_notified_at INTEGER,
  stream           TEXT,
  payload_json     TEXT NOT NULL
) STRICT;

CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  notifier        TEXT NOT NULL,
  stream          TEXT,
  payload_json    TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notifications_done ON notifications (updated_at) WHERE status <> 'pending';
`,
};
