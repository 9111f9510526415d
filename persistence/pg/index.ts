/**
 * The Postgres projection's public surface. Importing this module loads pg and kysely: code that must run
 * without Postgres (the server when DATABASE_URL is unset) imports start-postgres-projection.ts instead, which
 * loads them only when a URL is given.
 */
export { startPostgresProjection, type PostgresProjection, type StartPostgresProjectionOptions } from './start-postgres-projection.ts';
export {
  PostgresProjector,
  ProjectionGapError,
  ProjectionMismatchError,
  entriesPerTransactionMax,
  lagObservationsMax,
  pollIntervalMsDefault,
  projectorNameDefault,
  recordsPerTransactionMax,
  retryDelayMsInitial,
  retryDelayMsMax,
  type PostgresProjectorOptions,
  type ProjectorLag,
  type ProjectorSource,
  type ProjectorState,
  type ProjectorStatus,
} from './postgres-projector.ts';
export { SnapshotArchiver, archivedSnapshotsRetained, type SnapshotSource } from './snapshot-archiver.ts';
export {
  RestoreArchiveError,
  RestoreTargetNotEmptyError,
  archiveRowsPerReadMax,
  restoreFromPostgres,
  type RestoreFromPostgresOptions,
  type RestoreProgress,
  type RestoreResult,
} from './restore-from-postgres.ts';
export {
  applicationNameDefault,
  assertSchemaName,
  openPostgresDatabase,
  poolConnectionsMax,
  statementTimeoutMs,
  type PostgresDatabase,
  type PostgresDatabaseOptions,
} from './postgres-database.ts';
export { CodeMigrationProvider, MigrationError, migrateToLatest, migrations } from './migrations.ts';
export type * from './database.ts';
export { bytesPerInsertMax, rowsPerInsertMax } from './insert-chunks.ts';
