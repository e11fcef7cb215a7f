import { z } from 'zod';
import { emergencyKindSchema, geoPositionSchema, isoDateTime } from '@lifeline/contracts';
import { CHECK_IN_STATUSES, type CheckIn } from '../domain/check-in.ts';
import { EMERGENCY_STATUSES } from '../domain/emergency.ts';
import { TIMELINE_KINDS } from '../data/timeline-repository.ts';
import type { contactView, emergencyDetailView, emergencyView, policyView } from './views.ts';

// What the routes send, typed against the views so the document and the answers cannot drift apart.

const instant = isoDateTime.describe('RFC 3339, UTC.');

const emergencyObject = z.strictObject({
  id: z.uuid(),
  personId: z.string(),
  type: emergencyKindSchema,
  status: z.enum(EMERGENCY_STATUSES),
  message: z.string().nullable(),
  location: geoPositionSchema.nullable(),
  raisedBy: z.string(),
  policyId: z.uuid().nullable(),
  tiers: z.int().describe('Tiers of the escalation plan resolved at raise time.'),
  exhausted: z.boolean().describe('Every tier was paged and nobody acknowledged; the emergency stays open.'),
  exhaustedAt: instant.nullable(),
  acknowledgedAt: instant.nullable(),
  acknowledgedBy: z.string().nullable().describe('A user id, or contact:<contactId> for an outside contact.'),
  closedAt: instant.nullable(),
  closedBy: z.string().nullable(),
  closeNote: z.string().nullable(),
  cycle: z.int().describe('2.. after an acknowledgement timed out and the escalation started again.'),
  createdAt: instant,
  updatedAt: instant,
  version: z.int(),
});
export const emergencySchema: z.ZodType<ReturnType<typeof emergencyView>> = emergencyObject;

const timelineEntry = z.strictObject({
  at: instant,
  kind: z.enum(TIMELINE_KINDS),
  actor: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).describe('What happened: tier, round and recipients of a page, the note of a resolve, ...'),
});

export const emergencyDetailSchema: z.ZodType<ReturnType<typeof emergencyDetailView>> = emergencyObject.extend({
  nextStepAt: instant.nullable().describe('When the next page (or the exhaustion) is due; null once nothing is pending.'),
  timeline: z.array(timelineEntry),
});

export const emergencyPageSchema = z.strictObject({
  items: z.array(emergencySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
});

export const contactSchema: z.ZodType<ReturnType<typeof contactView>> = z.strictObject({
  id: z.uuid(),
  personId: z.string(),
  position: z.int(),
  kind: z.enum(['user', 'contact']),
  userId: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});

export const contactListSchema = z.strictObject({ items: z.array(contactSchema) });

export const policySchema: z.ZodType<ReturnType<typeof policyView>> = z.strictObject({
  personId: z.string(),
  id: z.uuid().nullable(),
  isDefault: z.boolean().describe('No policy stored: every contact in one tier.'),
  tiers: z.array(z.strictObject({ contactIds: z.array(z.uuid()), waitMinutes: z.int(), repeat: z.int(), order: z.enum(['all', 'nearest_first']), headStartMinutes: z.int() })),
  ackTimeoutMinutes: z.int().nullable(),
  version: z.int(),
  updatedAt: instant.nullable(),
});

export const checkInSchema: z.ZodType<CheckIn> = z.strictObject({
  id: z.uuid(),
  personId: z.string(),
  note: z.string().nullable(),
  dueAt: instant,
  status: z.enum(CHECK_IN_STATUSES),
  createdBy: z.string(),
  createdAt: instant,
  updatedAt: instant,
  closedAt: instant.nullable(),
  emergencyId: z.uuid().nullable().describe('The emergency a missed check-in raised (or joined).'),
  version: z.int(),
});

export const checkInListSchema = z.strictObject({ items: z.array(checkInSchema) });
