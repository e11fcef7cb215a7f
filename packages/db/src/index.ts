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
  rawSql,
  type PgAdapterOptions,
  type PrismaClientClass,
} from './prisma.ts';
export { PoolSql, TransactionTimeoutError } from './pool-sql.ts';
export { PROCESSED_EVENTS_SQL, runOnce, type InboxKey, type InboxTransaction } from './inbox.ts';
export { databaseConfigShape, databaseReadinessCheck, prismaFromConfig, type DatabaseConfig } from './service-database.ts';
export {
  OUTBOX_SQL,
  appendToOutbox,
  appendToOutboxOnce,
  outboxBacklog,
  type OutboxBacklog,
  type OutboxEntry,
  type SqlClient,
  type TransactionalSqlClient,
} from './outbox/outbox-repository.ts';
export {
  inOutboxTransaction,
  type Emit,
  type OutboxTransactionDeps,
  type OutboxTransactionOptions,
} from './outbox/outbox-transaction.ts';
export { OUTBOX_SET_ASIDE_WORK, OutboxRelay, type BatchResult, type HousekeepingJob, type RelayFailure, type RelayOptions } from './outbox/relay.ts';
export {
  outboxConfigShape,
  outboxRelayFromConfig,
  type OutboxConfig,
  type OutboxRelayDeps,
} from './outbox/outbox-config.ts';
export { registerOutboxMetrics, type OutboxMetrics } from './outbox/outbox-metrics.ts';
export { backoffDelay } from './outbox/backoff.ts';
export {
  SET_ASIDE_SQL,
  clearSetAside,
  countSetAside,
  listSetAside,
  recordSetAside,
  type SetAsideItem,
  type SetAsideRecord,
} from './set-aside/set-aside-repository.ts';
export { setAsideReporter, type SetAside } from './set-aside/set-aside-metrics.ts';
export {
  IDEMPOTENCY_KEYS_SQL,
  claimIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  type IdempotencyClaim,
  type IdempotencyClaimResult,
} from './idempotency-keys.ts';
