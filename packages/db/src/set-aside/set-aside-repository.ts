import type { SqlClient } from '../outbox/outbox-repository.ts';

/**
 * Items background work could not process (a poison outbox row, a reminder whose row no longer makes a valid
 * event, a series that fails every refill), kept where an operator can see them. Every app with background
 * work creates this table in its own schema (copy SET_ASIDE_SQL into a migration; a migration cannot import
 * code). Work that sets an item aside also stops retrying it, so it never holds up anyone else's.
 */
export const SET_ASIDE_SQL = `CREATE TABLE "set_aside" (
    "work" VARCHAR(100) NOT NULL,
    "item_key" VARCHAR(200) NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" JSONB,
    "first_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "times" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "set_aside_pkey" PRIMARY KEY ("work", "item_key")
);
`;

export interface SetAsideItem {
  /** Which background work, e.g. "reminder-scan" or "outbox-relay". */
  work: string;
  /** The item within that work: a task id, an outbox event id... */
  itemKey: string;
  reason: string;
  /** What an operator needs to fix or replay it; must be JSON. */
  detail?: unknown;
}

export interface SetAsideRecord extends Required<SetAsideItem> {
  firstAt: Date;
  lastAt: Date;
  times: number;
}

const REASON_MAX = 2000;
const KEY_MAX = 200;

/** Records (or re-records) an item; call inside the transaction that stops the work from retrying it. */
export async function recordSetAside(db: SqlClient, item: SetAsideItem): Promise<void> {
  const detail = item.detail === undefined ? null : JSON.stringify(item.detail);
  await db.$executeRaw`
    INSERT INTO set_aside (work, item_key, reason, detail)
    VALUES (${item.work}, ${item.itemKey.slice(0, KEY_MAX)}, ${item.reason.slice(0, REASON_MAX)}, ${detail}::jsonb)
    ON CONFLICT (work, item_key) DO UPDATE
      SET reason = EXCLUDED.reason, detail = EXCLUDED.detail, last_at = statement_timestamp(), times = set_aside.times + 1`;
}

/** For work that retries by itself (a daily refill): once the item succeeds again, it no longer needs an operator. */
export async function clearSetAside(db: SqlClient, work: string, itemKey: string): Promise<void> {
  await db.$executeRaw`DELETE FROM set_aside WHERE work = ${work} AND item_key = ${itemKey}`;
}

/** Newest first. */
export async function listSetAside(db: SqlClient, opts: { work?: string; limit: number }): Promise<SetAsideRecord[]> {
  return db.$queryRaw<SetAsideRecord[]>`
    SELECT work, item_key AS "itemKey", reason, detail, first_at AS "firstAt", last_at AS "lastAt", times
    FROM set_aside
    WHERE ${opts.work ?? null}::text IS NULL OR work = ${opts.work ?? null}
    ORDER BY last_at DESC
    LIMIT ${opts.limit}`;
}

export async function countSetAside(db: SqlClient): Promise<Array<{ work: string; items: number }>> {
  return db.$queryRaw<Array<{ work: string; items: number }>>`SELECT work, count(*)::int AS items FROM set_aside GROUP BY work`;
}
