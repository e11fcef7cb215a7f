import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { geoPosition, shortText, userId, uuid } from '../primitives.ts';

const transition = z.strictObject({
  geofenceId: uuid,
  geofenceName: shortText,
  userId,
  position: geoPosition,
});

export const geofenceEnteredEventSchema = defineEvent('geofence.entered', transition);
export const geofenceExitedEventSchema = defineEvent('geofence.exited', transition);

export const geofenceEventSchema = z.discriminatedUnion('type', [geofenceEnteredEventSchema, geofenceExitedEventSchema]);
