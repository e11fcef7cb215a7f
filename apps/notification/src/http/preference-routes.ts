import { Router } from 'express';
import { canActFor, forbidden, getAuth, requireJsonBody, type Auth, type AuthContext, type Role } from '@lifeline/kit';
import type { PrismaClient } from '../data/db.ts';
import { findPreferences, savePreferences } from '../data/preference-repository.ts';
import { preferencesBody, userIdParams } from './preference-input.ts';

export const MEMBER_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

/** The person themselves, a caregiver caring for them, or an admin; anyone else learns nothing. */
export function assertMayActFor(caller: AuthContext, userId: string): void {
  if (!canActFor(caller, userId)) throw forbidden('You may only see and change the notifications of yourself or the people you care for.');
}

export function preferenceRoutes(opts: { auth: Auth; prisma: PrismaClient }): Router {
  const { auth, prisma } = opts;
  const router = Router();
  const member = auth.requireAuth(MEMBER_ROLES);

  router.get('/preferences/:userId', member, async (req, res) => {
    const { userId } = userIdParams.parse(req.params);
    assertMayActFor(getAuth(req), userId);
    res.json(await findPreferences(prisma, userId));
  });

  router.put('/preferences/:userId', member, requireJsonBody(), async (req, res) => {
    const { userId } = userIdParams.parse(req.params);
    assertMayActFor(getAuth(req), userId);
    const body = preferencesBody.parse(req.body);
    res.json(await savePreferences(prisma, userId, body));
  });

  return router;
}
