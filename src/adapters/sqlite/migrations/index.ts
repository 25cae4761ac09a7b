/**
 * Every migration, oldest first. Append only: a shipped migration is never edited or removed.
 * To change the schema add `NNN-what.ts` here and a fixture in ../migration-fixtures.test-data.ts;
 * the migration tests then check the upgrade from every earlier version automatically.
 */
import { migration001 } from './001-initial.js';
import { migration002 } from './002-engines.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
