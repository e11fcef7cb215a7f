import { z } from 'zod';
import { emergencyKindSchema, geoPositionSchema, isoDateTime, text } from '@lifeline/contracts';
import { CHECK_IN_LIMITS } from '../domain/check-in.ts';
import { EMERGENCY_STATUSES } from '../domain/emergency.ts';
import { POLICY_LIMITS } from '../domain/policy.ts';

// The schemas every route validates with: strict, so a misspelt field is an error rather than ignored.

const personId = text().trim().min(1).max(128).describe('Whose; the caller when absent. A caregiver may name a person in their care claim.');
const note = text().trim().min(1).max(1000);

export const raiseBody = z.strictObject({
  type: emergencyKindSchema,
  personId: personId.optional(),
  message: note.optional(),
  location: geoPositionSchema.optional().describe('Where the person is: lat -90..90, lon -180..180, accuracy in metres, when it was measured.'),
});

export const emergencyIdParams = z.object({ id: z.uuid('expected an emergency id (UUID)') });
export const contactIdParams = z.object({ id: z.uuid('expected a contact id (UUID)') });

export const listEmergenciesQuery = z.strictObject({
  personId: personId.optional(),
  status: z
    .string()
    .max(100)
    .transform((value, ctx) => {
      const statuses = value.split(',').map((s) => s.trim());
      const unknown = statuses.find((s) => !(EMERGENCY_STATUSES as readonly string[]).includes(s));
      if (unknown === undefined) return statuses as Array<(typeof EMERGENCY_STATUSES)[number]>;
      ctx.addIssue({ code: 'custom', message: `"${unknown}" is not one of ${EMERGENCY_STATUSES.join(', ')}` });
      return z.NEVER;
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1000).optional(),
});

export const personQuery = z.strictObject({ personId: personId.optional() });

/** Acknowledge: with a bearer token no body is needed; an outside contact sends the token of their link. */
export const acknowledgeBody = z.strictObject({ token: z.string().min(1).max(1000).optional() });
export const respondQuery = z.strictObject({ token: z.string().min(1).max(1000) });
export const resolveBody = z.strictObject({ note: note.optional().describe('What happened, for the timeline and the all-clear.') });
export const cancelBody = z.strictObject({ reason: note.optional() });

const contactName = text().trim().min(1).max(200);
const email = z.email('expected an email address').max(254);
const phone = z.string().trim().regex(/^\+?[0-9][0-9 ()-]{2,30}$/, 'expected a phone number such as +49 30 1234567');

/** A Lifeline user by id, or an outside person by name and address; never both. */
export const newContactBody = z
  .strictObject({
    personId: personId.optional(),
    userId: text().trim().min(1).max(128).optional(),
    name: contactName.optional(),
    email: email.optional(),
    phone: phone.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.userId !== undefined) {
      for (const field of ['email', 'phone'] as const) {
        if (c[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'a Lifeline user contact is reached through their own notification settings' });
      }
      return;
    }
    if (c.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'required for an outside contact (or give userId)' });
    if (c.email === undefined) ctx.addIssue({ code: 'custom', path: ['email'], message: 'required for an outside contact (or give userId)' });
  });

export const contactPatchBody = z.strictObject({ name: contactName, email, phone: phone.nullable() }).partial();

const tier = z.strictObject({
  contactIds: z
    .array(z.uuid('expected a contact id (UUID)'))
    .min(1, 'a tier pages at least one contact')
    .max(POLICY_LIMITS.contactsPerTier)
    .refine((ids) => new Set(ids).size === ids.length, 'names a contact twice'),
  waitMinutes: z.int().min(POLICY_LIMITS.waitMinutes.min).max(POLICY_LIMITS.waitMinutes.max).describe('How long after paging this tier the next page goes out.'),
  repeat: z.int().min(POLICY_LIMITS.repeat.min).max(POLICY_LIMITS.repeat.max).default(0).describe('How many more times the tier is paged before the next tier.'),
  order: z
    .enum(['all', 'nearest_first'])
    .default('all')
    .describe('all: every contact of the tier at once. nearest_first: the Lifeline user nearest the person (location app) alone first, the rest of the tier headStartMinutes later.'),
  headStartMinutes: z
    .int()
    .min(POLICY_LIMITS.headStartMinutes.min)
    .max(POLICY_LIMITS.headStartMinutes.max)
    .default(1)
    .describe('nearest_first only: how long the nearest contact is paged alone before the rest of the tier.'),
});

export const policyBody = z.strictObject({
  personId: personId.optional(),
  tiers: z.array(tier).min(1, 'a policy has at least one tier').max(POLICY_LIMITS.tiers),
  ackTimeoutMinutes: z
    .int()
    .min(POLICY_LIMITS.ackTimeoutMinutes.min)
    .max(POLICY_LIMITS.ackTimeoutMinutes.max)
    .nullable()
    .default(null)
    .describe('An acknowledgement not resolved within this many minutes starts the escalation again from tier 1; null: never.'),
});

export const checkInIdParams = z.object({ id: z.uuid('expected a check-in id (UUID)') });

const dueFields = {
  dueAt: isoDateTime.optional().describe('When the person expects to check in (RFC 3339 with offset).'),
  inMinutes: z.int().min(CHECK_IN_LIMITS.minMinutes).max(CHECK_IN_LIMITS.maxMinutes).optional().describe('Or: this many minutes from now (for extend: from the current due time).'),
};

function exactlyOneDue(c: { dueAt?: string | undefined; inMinutes?: number | undefined }, ctx: z.RefinementCtx): void {
  if ((c.dueAt === undefined) === (c.inMinutes === undefined)) ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'give exactly one of dueAt and inMinutes' });
}

/** "Walking home, expect me in 30 min": dueAt or inMinutes, never both. */
export const newCheckInBody = z.strictObject({ personId: personId.optional(), note: note.optional(), ...dueFields }).superRefine(exactlyOneDue);

export const extendCheckInBody = z.strictObject(dueFields).superRefine(exactlyOneDue);
