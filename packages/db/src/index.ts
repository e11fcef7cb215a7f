export { migrate, type MigrateOptions, type MigrateResult } from './migrate/migrate.ts';
export { resolveMigration, type ResolveOptions } from './migrate/resolve.ts';
export {
  ChecksumMismatchError,
  FailedMigrationPendingError,
  LockTimeoutError,
  MigrationError,
  MigrationFailedError,
} from './migrate/errors.ts';
export { checksumOf } from './migrate/checksum.ts';
export { NO_TRANSACTION_MARKER } from './migrate/migrations-dir.ts';
export {
  createPgAdapter,
  createPrismaClient,
  databaseReady,
  disconnect,
  type PgAdapterOptions,
  type PrismaClientClass,
} from './prisma.ts';
export { PROCESSED_EVENTS_SQL, runOnce, type InboxKey, type InboxTransaction } from './inbox.ts';
export { databaseConfigShape, databaseReadinessCheck, prismaFromConfig, type DatabaseConfig } from './service-database.ts';
