import type { Delivery, DeliveryStatus } from '../domain/delivery.ts';
import type { NotificationChannel } from '../domain/notification.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import { toDelivery } from './delivery-repository.ts';

/** Where the next page starts: the last delivery already returned. */
export interface Keyset {
  createdAt: string;
  id: string;
}

export interface DeliveryFilter {
  /** Absent: every user's (admins only; the route decides). */
  userId?: string | undefined;
  status?: DeliveryStatus | undefined;
  channel?: NotificationChannel | undefined;
}

/** Newest first, keyset on (created_at, id): deliveries written while paging never shift a page. */
export async function listDeliveries(db: Db, filter: DeliveryFilter, limit: number, after?: Keyset): Promise<{ deliveries: Delivery[]; next?: Keyset }> {
  const where: Prisma.DeliveryWhereInput = {
    ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
    ...(filter.status !== undefined ? { status: filter.status } : {}),
    ...(filter.channel !== undefined ? { channel: filter.channel } : {}),
    ...(after !== undefined
      ? { OR: [{ createdAt: { lt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { lt: after.id } }] }
      : {}),
  };
  const rows = await db.delivery.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
  const deliveries = rows.slice(0, limit).map(toDelivery);
  const last = deliveries.at(-1);
  return { deliveries, ...(rows.length > limit && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}) };
}
