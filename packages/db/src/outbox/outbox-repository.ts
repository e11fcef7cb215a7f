/**
 * The outbox table every publishing app creates in its own schema (copy OUTBOX_SQL into a migration; a
 * migration cannot import code). The repository speaks raw SQL, so it works with any app's Prisma client.
 */
export const OUTBOX_SQL = `CREATE TABLE "outbox" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "topic" VARCHAR(200) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    -- Set when the sidecar kept refusing this one event: it no longer blocks the rows behind it (see set_aside).
    "set_aside_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "outbox_seq_key" ON "outbox"("seq");

-- The relay's poll reads only pending rows, so it stays cheap however many published rows are retained.
CREATE INDEX "outbox_pending_idx" ON "outbox"("seq") WHERE "published_at" IS NULL;

-- Retention cleanup deletes published rows by age.
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;
`;

/** What the outbox needs of a Prisma client or interactive transaction: tagged-template raw SQL. */
export interface SqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

/** A Prisma client: raw SQL plus interactive transactions. */
export interface TransactionalSqlClient extends SqlClient {
  $transaction<R>(fn: (tx: SqlClient) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

export interface OutboxEntry {
  /** The event id: subscribers deduplicate on it, so a re-sent row is harmless. */
  id: string;
  topic: string;
  type: string;
  /** The full contract event, exactly as it will be published. */
  payload: unknown;
}

export interface PendingEntry extends OutboxEntry {
  attempts: number;
}

export interface OutboxBacklog {
  pending: number;
  oldestPendingSeconds: number;
}

const LAST_ERROR_MAX = 2000;

/** Call inside the transaction that makes the change the event announces. */
export async function appendToOutbox(db: SqlClient, entry: OutboxEntry): Promise<void> {
  await db.$executeRaw`
    INSERT INTO outbox (id, topic, type, payload)
    VALUES (${entry.id}::uuid, ${entry.topic}, ${entry.type}, ${JSON.stringify(entry.payload)}::jsonb)`;
}

/**
 * For events whose id is derived from what they announce (reminders): a second write of the same event is
 * skipped rather than failing the transaction. Returns whether the row was new.
 */
export async function appendToOutboxOnce(db: SqlClient, entry: OutboxEntry): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO outbox (id, topic, type, payload)
    VALUES (${entry.id}::uuid, ${entry.topic}, ${entry.type}, ${JSON.stringify(entry.payload)}::jsonb)
    ON CONFLICT (id) DO NOTHING`;
  return inserted === 1;
}

/**
 * Relays take turns (a transaction-scoped advisory lock per schema) so events leave in the order they were
 * written even with several replicas; false means another replica is relaying right now.
 */
export async function takeRelayTurn(tx: SqlClient): Promise<boolean> {
  const [row] = await tx.$queryRaw<Array<{ acquired: boolean }>>`
    SELECT pg_try_advisory_xact_lock(72707370, hashtext(current_schema())) AS acquired`;
  return row?.acquired === true;
}

/** Oldest pending rows first, locked until the caller's transaction ends; rows another transaction holds are skipped, never waited for or sent twice. */
export async function claimPending(tx: SqlClient, limit: number): Promise<PendingEntry[]> {
  return tx.$queryRaw<PendingEntry[]>`
    SELECT id::text AS id, topic, type, payload, attempts
    FROM outbox
    WHERE published_at IS NULL AND set_aside_at IS NULL
    ORDER BY seq
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

export async function markPublished(tx: SqlClient, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE outbox
    SET published_at = statement_timestamp(), attempts = attempts + 1, last_error = NULL
    WHERE id = ANY(${[...ids]}::uuid[])`;
}

export async function recordFailure(tx: SqlClient, id: string, error: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, LAST_ERROR_MAX)}
    WHERE id = ${id}::uuid`;
}

/** Takes a row out of the relay's way for good; recordSetAside in the same transaction says why. */
export async function markSetAside(tx: SqlClient, id: string, error: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, LAST_ERROR_MAX)}, set_aside_at = statement_timestamp()
    WHERE id = ${id}::uuid`;
}

/** Deletes at most `limit` rows published before the retention window; returns how many went. */
export async function deletePublishedBefore(db: SqlClient, retentionHours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM outbox
    WHERE id IN (
      SELECT id FROM outbox
      WHERE published_at IS NOT NULL AND published_at < statement_timestamp() - make_interval(hours => ${retentionHours}::int)
      ORDER BY published_at
      LIMIT ${limit}
    )`;
}

export async function outboxBacklog(db: SqlClient): Promise<OutboxBacklog> {
  const [row] = await db.$queryRaw<Array<{ pending: number; oldest: number }>>`
    SELECT count(*)::int AS pending,
           COALESCE(EXTRACT(EPOCH FROM statement_timestamp() - min(created_at)), 0)::float8 AS oldest
    FROM outbox
    WHERE published_at IS NULL AND set_aside_at IS NULL`;
  return { pending: row?.pending ?? 0, oldestPendingSeconds: row?.oldest ?? 0 };
}
