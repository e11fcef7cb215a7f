import type { NotificationSuppressionReason } from '@lifeline/contracts';
import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';
import type { NotificationCategory, NotificationChannel, NotificationContent, NotificationPriority } from '../domain/notification.ts';
import type { Delivery as DeliveryRow, Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

const LAST_ERROR_MAX = 1000;

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    causeEventId: row.causeEventId,
    causeEventType: row.causeEventType,
    subject: row.subject,
    userId: row.userId,
    channel: row.channel as NotificationChannel,
    category: row.category as NotificationCategory,
    priority: row.priority as NotificationPriority,
    content: row.content as unknown as NotificationContent,
    fallbackFor: row.fallbackFor as NotificationChannel | null,
    status: row.status as DeliveryStatus,
    reason: row.reason as NotificationSuppressionReason | null,
    attempts: row.attempts,
    providerMessageId: row.providerMessageId,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}

export interface NewDelivery {
  id: string;
  causeEventId: string;
  causeEventType: string;
  subject: string;
  userId: string;
  channel: NotificationChannel;
  category: NotificationCategory;
  priority: NotificationPriority;
  content: NotificationContent;
  fallbackFor?: NotificationChannel | undefined;
  /** Set for a delivery decided against up front (preferences, quiet hours, no address). */
  suppressed?: NotificationSuppressionReason | undefined;
}

/** Inserts the delivery unless its (cause, user, channel) exists already; true when this call created it. */
export async function insertDelivery(db: Db, d: NewDelivery): Promise<boolean> {
  const { count } = await db.delivery.createMany({
    data: [
      {
        id: d.id,
        causeEventId: d.causeEventId,
        causeEventType: d.causeEventType,
        subject: d.subject,
        userId: d.userId,
        channel: d.channel,
        category: d.category,
        priority: d.priority,
        content: d.content as unknown as Prisma.InputJsonValue,
        fallbackFor: d.fallbackFor ?? null,
        status: d.suppressed === undefined ? 'queued' : 'suppressed',
        reason: d.suppressed ?? null,
      },
    ],
    skipDuplicates: true,
  });
  return count === 1;
}

export async function findDelivery(db: Db, id: string): Promise<Delivery | undefined> {
  const row = await db.delivery.findUnique({ where: { id } });
  return row ? toDelivery(row) : undefined;
}

/** Every delivery one event made for one user (all channels, fallbacks included). */
export async function deliveriesFor(db: Db, causeEventId: string, userId: string): Promise<Delivery[]> {
  const rows = await db.delivery.findMany({ where: { causeEventId, userId }, orderBy: { createdAt: 'asc' } });
  return rows.map(toDelivery);
}

/** Who was told anything about this subject (e.g. everyone alerted about one emergency). */
export async function usersNotifiedAbout(db: Db, subject: string, category: NotificationCategory): Promise<string[]> {
  const rows = await db.delivery.findMany({ where: { subject, category }, distinct: ['userId'], select: { userId: true } });
  return rows.map((r) => r.userId);
}

export type Claim =
  | { state: 'claimed'; attempts: number }
  /** Another attempt is in flight or a backoff runs: try again in waitMs. */
  | { state: 'busy'; waitMs: number }
  | { state: 'done'; status: Exclude<DeliveryStatus, 'queued'> }
  /** Queued, but every attempt was used (the last one was interrupted). */
  | { state: 'exhausted'; lastError: string | null };

/**
 * Counts the next attempt and leases the delivery to the caller for leaseMs, in one committed statement:
 * the attempt is on record before anything is sent, so a crash never resets the count, and no replica or
 * redelivery sends while the lease runs. Database time throughout, so app clocks may disagree.
 */
export async function claimAttempt(db: Db, id: string, leaseMs: number, maxAttempts: number): Promise<Claim> {
  const [claimed] = await db.$queryRaw<Array<{ attempts: number }>>`
    UPDATE deliveries
    SET attempts = attempts + 1, lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}::float8), updated_at = clock_timestamp()
    WHERE id = ${id}::uuid AND status = 'queued' AND attempts < ${maxAttempts}
      AND (lease_until IS NULL OR lease_until <= clock_timestamp())
    RETURNING attempts`;
  if (claimed) return { state: 'claimed', attempts: claimed.attempts };
  const [row] = await db.$queryRaw<Array<{ status: DeliveryStatus; attempts: number; last_error: string | null; wait_ms: number }>>`
    SELECT status, attempts, last_error,
           GREATEST(0, CEIL(EXTRACT(EPOCH FROM (COALESCE(lease_until, clock_timestamp()) - clock_timestamp())) * 1000))::int AS wait_ms
    FROM deliveries WHERE id = ${id}::uuid`;
  if (!row) throw new Error(`delivery ${id} does not exist`);
  if (row.status !== 'queued') return { state: 'done', status: row.status };
  if (row.wait_ms > 0) return { state: 'busy', waitMs: row.wait_ms };
  if (row.attempts >= maxAttempts) return { state: 'exhausted', lastError: row.last_error };
  // The lease ran out between the two statements: free to claim now.
  return { state: 'busy', waitMs: 0 };
}

/** After a transient failure: nobody sends again before delayMs (the backoff), and the error is on record. */
export async function scheduleRetry(db: Db, id: string, error: string, delayMs: number): Promise<void> {
  await db.$executeRaw`
    UPDATE deliveries
    SET lease_until = clock_timestamp() + make_interval(secs => ${delayMs / 1000}::float8),
        last_error = ${error.slice(0, LAST_ERROR_MAX)}, updated_at = clock_timestamp()
    WHERE id = ${id}::uuid AND status = 'queued'`;
}

export type FinalState =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'failed'; error: string }
  | { status: 'suppressed'; reason: NotificationSuppressionReason };

/**
 * Moves a queued delivery to its final state; returns the updated delivery, or undefined when it was no
 * longer queued (another worker finished it first), so the caller writes no second event.
 */
export async function finishDelivery(db: Db, id: string, final: FinalState): Promise<Delivery | undefined> {
  const now = new Date();
  const data =
    final.status === 'sent'
      ? { status: 'sent', providerMessageId: final.providerMessageId.slice(0, 500), sentAt: now, lastError: null }
      : final.status === 'failed'
        ? { status: 'failed', lastError: final.error.slice(0, LAST_ERROR_MAX) }
        : { status: 'suppressed', reason: final.reason };
  const { count } = await db.delivery.updateMany({ where: { id, status: 'queued' }, data: { ...data, leaseUntil: null, updatedAt: now } });
  return count === 1 ? findDelivery(db, id) : undefined;
}

/** Retention: deletes at most `limit` deliveries older than `days`; returns how many went. */
export async function deleteDeliveriesOlderThan(db: Db, days: number, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM deliveries
    WHERE id IN (
      SELECT id FROM deliveries
      WHERE created_at < clock_timestamp() - make_interval(days => ${days}::int)
      ORDER BY created_at
      LIMIT ${limit}
    )`;
}
