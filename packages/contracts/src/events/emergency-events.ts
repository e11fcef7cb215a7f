import { z } from 'zod';
import { text } from '../text.ts';
import { defineEvent } from '../envelope.ts';
import { geoPosition, isoDateTime, userId, uuid } from '../primitives.ts';

const note = text().min(1).max(1000).nullable();

/**
 * Version 2 of the emergency events: recipients are Lifeline users or outside contacts (version 1 carried
 * `contactIds` that consumers took to be user ids), each page names its tier and round, and every event
 * that ends or answers an escalation lists who was paged so far, so consumers need no call back. The page
 * (`emergency.escalated`) is at version 3: it no longer carries acknowledgement links, and says how its
 * tier is ordered.
 */
const V2 = { schemaVersion: z.literal(2) };

export const emergencyKindSchema = z.enum(['sos', 'fall', 'medical', 'geofence', 'missed_check_in', 'other']);
export type EmergencyKind = z.infer<typeof emergencyKindSchema>;

export const emergencyUserRecipientSchema = z.strictObject({ kind: z.literal('user'), userId });

/** Someone without a Lifeline account: reached by mail at the address the person keeps for them. */
export const emergencyContactRecipientSchema = z.strictObject({
  kind: z.literal('contact'),
  contactId: uuid,
  name: text().min(1).max(200),
  email: z.email().max(254),
});

export const emergencyRecipientSchema = z.discriminatedUnion('kind', [emergencyUserRecipientSchema, emergencyContactRecipientSchema]);
export type EmergencyRecipient = z.infer<typeof emergencyRecipientSchema>;

/**
 * Version 2's page to an outside contact carried the link that acknowledges for them, so every reader of the
 * event (the audit trail) held a working link. Version 3 carries only who the contact is; the notification
 * app signs the link when it mails them. Kept so notification accepts version 2 during a rollout.
 */
const pagedRecipientV2 = z.discriminatedUnion('kind', [
  emergencyUserRecipientSchema,
  emergencyContactRecipientSchema.extend({ acknowledgeUrl: z.url({ protocol: /^https?$/ }).max(2000) }),
]);
export type EmergencyPagedRecipientV2 = z.infer<typeof pagedRecipientV2>;

/** How a tier orders its pages: everyone at once, or the contact nearest the person first. */
export const tierOrderSchema = z.enum(['all', 'nearest_first']);
export type TierOrder = z.infer<typeof tierOrderSchema>;

const recipients = z.array(emergencyRecipientSchema).max(200);

export const emergencyCreatedEventSchema = defineEvent(
  'emergency.created',
  z.strictObject({
    emergencyId: uuid,
    userId,
    raisedBy: userId,
    /** Additive (version 1): what kind of emergency; absent from producers that predate it. */
    kind: emergencyKindSchema.optional(),
    message: note,
    location: geoPosition.nullable(),
    policyId: uuid.nullable(),
    createdAt: isoDateTime,
  }),
);

export const emergencyAcknowledgedEventSchema = defineEvent(
  'emergency.acknowledged',
  z.strictObject({
    emergencyId: uuid,
    userId,
    /** The responder: a user id, or `contact:<contactId>` for an outside contact who used their link. */
    acknowledgedBy: userId,
    /** How to address the responder in "<who> is responding". */
    responderName: text().min(1).max(200),
    acknowledgedAt: isoDateTime,
    /** Everyone paged so far (they get "<who> is responding"). */
    notified: recipients,
  }),
).extend(V2);

const escalatedFields = {
  emergencyId: uuid,
  userId,
  kind: emergencyKindSchema,
  message: note,
  tier: z.int().min(1).max(20),
  /** 1 for the tier's first page, 2.. for its repeats. */
  round: z.int().min(1).max(20),
  /** Additive: 2.. once an acknowledgement timed out and the escalation started again from tier 1; absent means 1. */
  cycle: z.int().min(1).max(100).optional(),
  escalatedAt: isoDateTime,
};

/** Version 2, still accepted by consumers during a rollout: outside contacts carry their acknowledgement link. */
export const emergencyEscalatedV2EventSchema = defineEvent(
  'emergency.escalated',
  z.strictObject({ ...escalatedFields, recipients: z.array(pagedRecipientV2).min(1).max(50) }),
).extend(V2);

/**
 * Version 3: recipients are who is paged, nothing more (no acknowledgement link: notification signs it when
 * it mails an outside contact). A `nearest_first` tier's round 0 pages its nearest contact alone; its round
 * 1 pages everyone else in the tier after a head start, and `basis` says whether the order came from
 * distances or, when the location app did not answer, from the list.
 */
export const emergencyEscalatedEventSchema = defineEvent(
  'emergency.escalated',
  z.strictObject({
    ...escalatedFields,
    /** 0 only on a nearest-first tier: its nearest contact, paged alone before the rest of the tier. */
    round: z.int().min(0).max(20),
    order: tierOrderSchema,
    /** For a nearest_first tier: `distance` when the location app answered, `list` when the order fell back to the list. */
    basis: z.enum(['distance', 'list']).optional(),
    recipients: z.array(emergencyRecipientSchema).min(1).max(50),
  }),
).extend({ schemaVersion: z.literal(3) });

export const emergencyResolvedEventSchema = defineEvent(
  'emergency.resolved',
  z.strictObject({ emergencyId: uuid, userId, resolvedBy: userId, resolution: note, resolvedAt: isoDateTime, notified: recipients }),
).extend(V2);

export const emergencyCancelledEventSchema = defineEvent(
  'emergency.cancelled',
  z.strictObject({ emergencyId: uuid, userId, cancelledBy: userId, reason: note, cancelledAt: isoDateTime, notified: recipients }),
).extend(V2);

/** Every tier was paged as often as the policy says and nobody acknowledged: the emergency stays open. */
export const emergencyExhaustedEventSchema = defineEvent(
  'emergency.exhausted',
  z.strictObject({
    emergencyId: uuid,
    userId,
    kind: emergencyKindSchema,
    /** How many tiers the policy had; 0 when the person had no contacts to page. */
    tiers: z.int().min(0).max(20),
    /** Everyone on every tier of the policy. */
    recipients,
    exhaustedAt: isoDateTime,
  }),
);

/** A check-in timer ran out (due + grace) without being completed: an emergency was raised (or joined) for it. */
export const emergencyCheckInMissedEventSchema = defineEvent(
  'emergency.check_in_missed',
  z.strictObject({
    checkInId: uuid,
    userId,
    emergencyId: uuid,
    note,
    dueAt: isoDateTime,
    missedAt: isoDateTime,
  }),
);

export const emergencyEventSchema = z.discriminatedUnion('type', [
  emergencyCreatedEventSchema,
  emergencyAcknowledgedEventSchema,
  // Version 3 and, during a rollout, version 2 of the page: told apart by schemaVersion.
  z.discriminatedUnion('schemaVersion', [emergencyEscalatedEventSchema, emergencyEscalatedV2EventSchema]),
  emergencyResolvedEventSchema,
  emergencyCancelledEventSchema,
  emergencyExhaustedEventSchema,
  emergencyCheckInMissedEventSchema,
]);
