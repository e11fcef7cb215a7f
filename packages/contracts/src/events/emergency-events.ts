import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { geoPosition, isoDateTime, userId, uuid } from '../primitives.ts';

const note = z.string().min(1).max(1000).nullable();

export const emergencyCreatedEventSchema = defineEvent(
  'emergency.created',
  z.strictObject({
    emergencyId: uuid,
    userId,
    raisedBy: userId,
    message: note,
    location: geoPosition.nullable(),
    policyId: uuid.nullable(),
    createdAt: isoDateTime,
  }),
);

export const emergencyAcknowledgedEventSchema = defineEvent(
  'emergency.acknowledged',
  z.strictObject({ emergencyId: uuid, userId, acknowledgedBy: userId, acknowledgedAt: isoDateTime }),
);

export const emergencyEscalatedEventSchema = defineEvent(
  'emergency.escalated',
  z.strictObject({
    emergencyId: uuid,
    userId,
    tier: z.int().min(1).max(20),
    contactIds: z.array(uuid).min(1).max(50),
    escalatedAt: isoDateTime,
  }),
);

export const emergencyResolvedEventSchema = defineEvent(
  'emergency.resolved',
  z.strictObject({ emergencyId: uuid, userId, resolvedBy: userId, resolution: note, resolvedAt: isoDateTime }),
);

export const emergencyCancelledEventSchema = defineEvent(
  'emergency.cancelled',
  z.strictObject({ emergencyId: uuid, userId, cancelledBy: userId, reason: note, cancelledAt: isoDateTime }),
);

export const emergencyEventSchema = z.discriminatedUnion('type', [
  emergencyCreatedEventSchema,
  emergencyAcknowledgedEventSchema,
  emergencyEscalatedEventSchema,
  emergencyResolvedEventSchema,
  emergencyCancelledEventSchema,
]);
