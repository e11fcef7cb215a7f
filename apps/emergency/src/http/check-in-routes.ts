import { Router } from 'express';
import { getAuth, requireJsonBody, type Auth } from '@lifeline/kit';
import { completeCheckIn, createCheckIn, extendCheckIn, getCheckIn, listPersonCheckIns } from '../domain/check-ins.ts';
import type { EmergencyDeps } from '../domain/emergency-deps.ts';
import { MEMBER_ROLES } from './emergency-routes.ts';
import { checkInIdParams, extendCheckInBody, newCheckInBody, personQuery } from './input.ts';

/** Check-in timers: mounted before /emergencies/:id, whose id would otherwise swallow them. */
export function checkInRoutes(opts: { auth: Auth; deps: EmergencyDeps }): Router {
  const { auth, deps } = opts;
  const router = Router();
  const member = auth.requireAuth(MEMBER_ROLES);

  router.post('/emergencies/check-ins', member, requireJsonBody(), async (req, res) => {
    const { personId, note, ...due } = newCheckInBody.parse(req.body);
    const checkIn = await createCheckIn(deps, getAuth(req), { personId, note, due: due.dueAt !== undefined ? { dueAt: due.dueAt } : { inMinutes: due.inMinutes ?? 0 } });
    res.status(201).location(`/emergencies/check-ins/${checkIn.id}`).json(checkIn);
  });

  router.get('/emergencies/check-ins', member, async (req, res) => {
    const caller = getAuth(req);
    const { personId } = personQuery.parse(req.query);
    res.json({ items: await listPersonCheckIns(deps, caller, personId ?? caller.userId) });
  });

  router.get('/emergencies/check-ins/:id', member, async (req, res) => {
    const { id } = checkInIdParams.parse(req.params);
    res.json(await getCheckIn(deps, getAuth(req), id));
  });

  router.post('/emergencies/check-ins/:id/complete', member, async (req, res) => {
    const { id } = checkInIdParams.parse(req.params);
    res.json(await completeCheckIn(deps, getAuth(req), id));
  });

  router.post('/emergencies/check-ins/:id/extend', member, requireJsonBody(), async (req, res) => {
    const { id } = checkInIdParams.parse(req.params);
    const due = extendCheckInBody.parse(req.body);
    res.json(await extendCheckIn(deps, getAuth(req), id, due.dueAt !== undefined ? { dueAt: due.dueAt } : { inMinutes: due.inMinutes ?? 0 }));
  });

  return router;
}
