/** Base class so callers (and the CLI) can tell a refusal of the runner from an unexpected crash. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export class ChecksumMismatchError extends MigrationError {
  override name = 'ChecksumMismatchError';
  constructor(readonly migrations: string[]) {
    super(
      `refusing to migrate: ${migrations.map((name) => `"${name}"`).join(', ')} ` +
        `${migrations.length === 1 ? 'was' : 'were'} modified after being applied (checksum mismatch). ` +
        'Restore the applied file(s) and put the change into a new migration.',
    );
  }
}

export class FailedMigrationPendingError extends MigrationError {
  override name = 'FailedMigrationPendingError';
  constructor(readonly migrations: string[], readonly schema: string) {
    super(
      `refusing to migrate schema "${schema}": found failed migration(s) ${migrations.map((name) => `"${name}"`).join(', ')} ` +
        'in _prisma_migrations; new migrations will not be applied until it is resolved (like Prisma P3009). ' +
        'Fix the database by hand, then mark it with --resolve-rolled-back <name> (it will be re-applied) ' +
        'or --resolve-applied <name> (treated as done).',
    );
  }
}

export class MigrationFailedError extends MigrationError {
  override name = 'MigrationFailedError';
  constructor(readonly migration: string, readonly logs: string, options: { cause: unknown }) {
    super(`migration "${migration}" failed and was recorded as failed: ${logs}`, options);
  }
}

export class LockTimeoutError extends MigrationError {
  override name = 'LockTimeoutError';
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for the migration advisory lock (another runner is migrating)`);
  }
}
