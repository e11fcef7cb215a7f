/**
 * The table `runOnce` writes to. Apps copy this into one of their own migrations (a migration file is the
 * applied, checksummed record of the schema, so it cannot import code); the db package tests apply it verbatim.
 * The key is (consumer, event_id) so several handlers in one app can each process the same event once.
 */
export const PROCESSED_EVENTS_SQL = `CREATE TABLE "processed_events" (
    "consumer" VARCHAR(200) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);
`;

/** What `runOnce` needs from a Prisma interactive-transaction client (`prisma.$transaction(async (tx) => ...)`). */
export interface InboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

export interface InboxKey {
  eventId: string;
  /** Which handler processed it, e.g. "notification:reminder-due". */
  consumer: string;
}

/**
 * Marks the event as processed by this consumer inside the caller's transaction and tells whether this is
 * the first time. Call it first in the transaction and skip the effect when it returns false: the mark and
 * the effect then commit, or roll back, together, so a redelivery never applies the effect twice and a
 * failed attempt leaves no mark behind.
 */
export async function runOnce(tx: InboxTransaction, key: InboxKey): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO processed_events (consumer, event_id) VALUES (${key.consumer}, ${key.eventId})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}
