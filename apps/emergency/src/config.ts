import { z } from 'zod';
import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape, outboxConfigShape } from '@lifeline/db';

export const emergencyConfigShape = {
  ...databaseConfigShape('emergency'),
  ...outboxConfigShape,
  /**
   * What a policy's "minute" lasts. Production: minutes. Tests and demos: seconds, so a two-tier escalation
   * with waits of 2 "minutes" runs in 4 s without a policy that would be absurd in production.
   */
  ESCALATION_TIME_UNIT: z.enum(['minutes', 'seconds'], { error: 'expected minutes or seconds' }).default('minutes'),
  /**
   * How long a request (or a tick) waits for one of the DB_POOL_MAX connections before it gives up: a raise
   * then answers 503 problem+json with Retry-After instead of queueing without bound. Transactions hold a
   * connection only while their SQL runs (a few ms), so a wait this long means the app is saturated; 5 s,
   * because a person raising an SOS is better served by a slow 201 than by a quick refusal.
   */
  DB_CONNECTION_WAIT_MS: envInt(50, 30_000).default(5000),
  /** Steps one tick works through at most; a tick with more due steps leaves the rest to the next one. */
  ESCALATION_BATCH: envInt(1, 10_000).default(200),
  /**
   * Due steps of different emergencies run this many at once, each in its own transaction on its own
   * connection (of DB_POOL_MAX): one at a time, the runner paged about 15 emergencies a second at 50
   * raises/s on a loaded 2-core machine.
   */
  ESCALATION_CONCURRENCY: envInt(1, 32).default(4),
  /** Minutes (of ESCALATION_TIME_UNIT) after a check-in's due time before it counts as missed. */
  CHECK_IN_GRACE_MINUTES: envInt(0, 120).default(5),
  /** The location app's id for service invocation, and how long a raise's location lookup may take. */
  LOCATION_APP_ID: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'expected a Dapr app id').default('location'),
  LOCATION_TIMEOUT_MS: envInt(50, 10_000).default(800),
  /** How long an Idempotency-Key of POST /emergencies is remembered. */
  IDEMPOTENCY_TTL_HOURS: envInt(1, 24 * 30).default(24),
  /**
   * Comma-separated user ids of the admins told when an escalation is exhausted (they join its recipients and
   * are recorded as paged, so they may answer it and get the all-clear). Empty: nobody beyond the tiers.
   */
  ADMIN_USER_IDS: z
    .string()
    .default('')
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter((s) => s !== ''))])
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'expected user ids (letters, digits, . _ : @ -)')).max(20, 'at most 20 admins')),
};

export type EmergencyConfig = ReturnType<typeof loadEmergencyConfig>;

export function loadEmergencyConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(emergencyConfigShape, env);
}
