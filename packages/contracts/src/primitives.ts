import { z } from 'zod';
import { text } from './text.ts';

// Every string is bounded so a hostile or buggy producer cannot push unbounded payloads through the broker.

export const uuid = z.uuid();

// User ids come from the JWT `sub` claim of whatever identity provider is in front, so they are not assumed to be UUIDs.
export const userId = text().min(1).max(128);

/** The window every instant of the platform lives in, as written and as a UTC instant. */
export const INSTANT_MIN = '1900-01-01T00:00:00.000Z';
export const INSTANT_MAX = '9999-12-31T23:59:59.999Z';
const INSTANT_MIN_MS = Date.parse(INSTANT_MIN);
const INSTANT_MAX_MS = Date.parse(INSTANT_MAX);

/** True when the text names a real instant inside the window; also refuses calendar dates that do not exist. */
export function isInstantInWindow(value: string): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= INSTANT_MIN_MS && ms <= INSTANT_MAX_MS;
}

/**
 * The one rule for instants across the platform: RFC 3339 with a mandatory offset (a local time without a
 * zone is ambiguous once it crosses a service boundary) within ±14:00, a written year from 1900 to 9999 (in the pattern, so
 * published schemas say it), and a UTC instant inside the same window. Outside it, Postgres stores what
 * JavaScript cannot print back as RFC 3339 (year 0 reads back as 1 BC, year 10000 as "+010000-..."), and one
 * such row used to stop every reminder.
 */
export const isoDateTime = z.iso
  .datetime({ offset: true, abort: true })
  .regex(/^(?:19|[2-9]\d)\d\d-/, { message: 'expected a year from 1900 to 9999', abort: true })
  // Real zones lie within ±14:00; Postgres refuses displacements past ±15:59 although RFC 3339 allows ±23:59.
  .regex(/(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$/, { message: 'expected an offset from -14:00 to +14:00', abort: true })
  .refine(isInstantInWindow, `expected an instant from ${INSTANT_MIN} to ${INSTANT_MAX}`);

export const appId = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase app id such as "tasks"');

export const eventTypeName = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z]+(?:\.[a-z-]+)+$/, 'expected an event type such as "task.created"');

export const timezone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/, 'expected an IANA time zone such as "Europe/Berlin"');

// W3C Trace Context traceparent header value.
export const traceparent = z
  .string()
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'expected a W3C traceparent');

export const shortText = text().min(1).max(200);
export const longText = text().max(5000);

export const geoPosition = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accuracyM: z.number().min(0).max(100_000).nullable(),
  recordedAt: isoDateTime,
});
export type GeoPosition = z.infer<typeof geoPosition>;
