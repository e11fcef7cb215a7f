import { z } from 'zod';
import { CLOCK_TIME, isValidTimezone } from '../domain/quiet-hours.ts';

export const userIdParams = z.strictObject({ userId: z.string().min(1).max(128) });

const switches = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((k) => [k, z.boolean().default(true)])) as Record<K, z.ZodDefault<z.ZodBoolean>>);

// Device tokens are opaque provider strings; visible ASCII keeps headers, logs and JSON safe.
const pushToken = z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'expected a push token (visible ASCII, no spaces)');

/**
 * PUT /preferences/{userId}: the whole document, strictly (unknown fields are a 400). What is left out gets
 * its default, as in a first PUT: channels and categories on, UTC, no quiet hours, no addresses.
 */
export const preferencesBody = z.strictObject({
  email: z.email().max(254).nullable().default(null),
  pushTokens: z
    .array(pushToken)
    .max(10)
    .default([])
    .refine((tokens) => new Set(tokens).size === tokens.length, 'push tokens must be unique'),
  timezone: z.string().min(1).max(64).refine(isValidTimezone, 'expected an IANA time zone such as "Europe/Berlin"').default('UTC'),
  quietHours: z
    .strictObject({
      start: z.string().regex(CLOCK_TIME, 'expected a 24-hour time "HH:MM"'),
      end: z.string().regex(CLOCK_TIME, 'expected a 24-hour time "HH:MM"'),
    })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ (leave quietHours null for none)', path: ['end'] })
    .nullable()
    .default(null),
  channels: switches(['email', 'websocket', 'push'] as const).default({ email: true, websocket: true, push: true }),
  categories: switches(['reminders', 'tasks', 'emergency', 'geofence'] as const).default({ reminders: true, tasks: true, emergency: true, geofence: true }),
});
export type PreferencesBody = z.infer<typeof preferencesBody>;
