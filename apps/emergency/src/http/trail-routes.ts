import { Router } from 'express';
import { z } from 'zod';
import { isoDateTime } from '@lifeline/contracts';
import { getAuth, type Auth } from '@lifeline/kit';
import type { LocationTrack } from '../clients/location-track.ts';
import type { EmergencyDeps } from '../domain/emergency-deps.ts';
import { emergencyTrail } from '../domain/emergency-trail.ts';
import { MEMBER_ROLES } from './emergency-routes.ts';
import { emergencyIdParams } from './input.ts';

export const trailQuery = z.strictObject({
  since: isoDateTime.optional().describe('Only positions recorded at or after this instant (RFC 3339 with offset); default: the raise.'),
});

export function trailRoutes(opts: { auth: Auth; deps: EmergencyDeps; track: LocationTrack }): Router {
  const router = Router();
  router.get('/emergencies/:id/trail', opts.auth.requireAuth(MEMBER_ROLES), async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    const { since } = trailQuery.parse(req.query);
    res.json(await emergencyTrail(opts.deps, opts.track, getAuth(req), id, since === undefined ? undefined : new Date(since)));
  });
  return router;
}

const instant = isoDateTime.describe('RFC 3339, UTC.');

/** What the route answers, for the OpenAPI document. */
export const emergencyTrailSchema = z.strictObject({
  emergencyId: z.uuid(),
  personId: z.string(),
  since: instant.describe('Where this answer starts: the raise, or `since` when later.'),
  until: instant.nullable().describe('When the emergency closed (the trail ends there); null while it is active.'),
  items: z
    .array(z.strictObject({ lat: z.number(), lon: z.number(), accuracyM: z.number().nullable(), recordedAt: instant }))
    .describe('Raw positions, oldest first (at most the newest 5000).'),
});
