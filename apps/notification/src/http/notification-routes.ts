import { Router } from 'express';
import { z } from 'zod';
import { notificationChannelSchema } from '@lifeline/contracts';
import { getAuth, type Auth, type CursorCodec } from '@lifeline/kit';
import type { PrismaClient } from '../data/db.ts';
import { listDeliveries, type Keyset } from '../data/delivery-list-repository.ts';
import { DELIVERY_STATUSES } from '../domain/delivery.ts';
import { assertMayActFor, MEMBER_ROLES } from './preference-routes.ts';

export const listQuery = z.strictObject({
  userId: z.string().min(1).max(128).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  channel: notificationChannelSchema.optional(),
  // The whole range in the pattern, so the published schema says exactly what is accepted.
  limit: z
    .string()
    .regex(/^(?:[1-9]\d?|1\d\d|200)$/, 'expected an integer 1-200')
    .transform(Number)
    .default(50),
  cursor: z.string().max(500).optional(),
});

/**
 * GET /notifications: the delivery records, newest first. A person sees their own, a caregiver those of the
 * people in their care (with userId), an admin anyone's, and everyone's when userId is left out.
 */
export function notificationRoutes(opts: { auth: Auth; prisma: PrismaClient; cursors: CursorCodec<Keyset> }): Router {
  const { auth, prisma, cursors } = opts;
  const router = Router();

  router.get('/notifications', auth.requireAuth(MEMBER_ROLES), async (req, res) => {
    const caller = getAuth(req);
    const { cursor, limit, ...filters } = listQuery.parse(req.query);
    const userId = filters.userId ?? (caller.roles.includes('admin') ? undefined : caller.userId);
    if (userId !== undefined) assertMayActFor(caller, userId);
    // What a cursor is bound to: the filters with the user resolved as this page resolved it.
    const query = { ...filters, userId: userId ?? '*' };
    const after = cursor === undefined ? undefined : cursors.decode(cursor, query);
    const page = await listDeliveries(prisma, { ...filters, userId }, limit, after);
    res.json({ items: page.deliveries, nextCursor: page.next === undefined ? null : cursors.encode(page.next, query) });
  });

  return router;
}
