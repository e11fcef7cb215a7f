import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { geoPosition, shortText, userId, uuid } from '../primitives.ts';

/**
 * Version 2: a crossing names who is told besides the person (`caregivers`: the users the fence's owner or
 * their caregiver listed), so consumers need no call back to the location app. Version 1 carried only the
 * person. The position is the point that decided the crossing (its recordedAt, not the time it arrived).
 */
const V2 = { schemaVersion: z.literal(2) };

const transition = z.strictObject({
  geofenceId: uuid,
  geofenceName: shortText,
  userId,
  position: geoPosition,
  caregivers: z.array(userId).max(50),
});

export const geofenceEnteredEventSchema = defineEvent('geofence.entered', transition).extend(V2);
export const geofenceExitedEventSchema = defineEvent('geofence.exited', transition).extend(V2);

export const geofenceEventSchema = z.discriminatedUnion('type', [geofenceEnteredEventSchema, geofenceExitedEventSchema]);
