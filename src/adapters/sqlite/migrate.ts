/**
 * Brings a database up to a schema version, one migration per transaction: a failed step rolls
 * back completely and leaves the database at the last good version. PRAGMA user_version holds
 * the version; it lives in the database header, so it commits and rolls back with the step.
 *
 * A migration that has to rebuild a table must not rely on switching foreign_keys off: that
 * pragma is a no-op inside a transaction. Use the documented 12-step rebuild instead.
 */
import type Database from 'better-sqlite3';
import { StoreSchemaError } from '../../ports/store.js';
import type { Migration } from './migrations/migration.js';

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Throws when the list is not numbered 1, 2, 3, … */
export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

export function migrate(db: Database.Database, migrations: readonly Migration[], target = migrations.length): MigrationOutcome {
  checkMigrationList(migrations);
  const from = schemaVersion(db);
  if (from > migrations.length) throw new StoreSchemaError(from, migrations.length);
  for (const migration of migrations) {
    if (migration.version <= from || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // An integer from our own list, never user input.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, Math.min(target, migrations.length)) };
}
