import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { geoPosition, userId, uuid } from '../primitives.ts';

/**
 * A live position of a person with an open emergency, for the people who may see it (location publishes it,
 * notification writes it to their WebSockets). Only these positions go through pub/sub: everyone else's stay in
 * the location app. `viewers` is the list at the time of the fix (the person's caregiver who raised it, every
 * Lifeline user paged so far, whoever acknowledged), so a consumer needs no call back to decide who sees it.
 */
export const emergencyPositionEventSchema = defineEvent(
  'emergency.position',
  z.strictObject({
    emergencyId: uuid,
    /** The person in danger, as on every emergency event. */
    userId,
    position: geoPosition,
    viewers: z.array(userId).min(1).max(200),
  }),
);

export const emergencyPositionsEventSchema = z.discriminatedUnion('type', [emergencyPositionEventSchema]);
