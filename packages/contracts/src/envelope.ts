import { z } from 'zod';
import { text } from './text.ts';
import { appId, isoDateTime, traceparent, userId, uuid } from './primitives.ts';

export const actorSchema = z.strictObject({
  id: userId,
  kind: z.enum(['user', 'system']),
});
export type Actor = z.infer<typeof actorSchema>;

// Bumped (with a new literal) only for a breaking change to a type's data; additive changes stay at 1.
export const SCHEMA_VERSION = 1;

/** The envelope every event carries inside the CloudEvent `data`, with `type` fixed and `data` typed. */
export function defineEvent<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({
    id: uuid,
    type: z.literal(type),
    source: appId,
    time: isoDateTime,
    subject: text().min(1).max(200),
    actor: actorSchema,
    schemaVersion: z.literal(SCHEMA_VERSION),
    traceparent: traceparent.optional(),
    data,
  });
}
