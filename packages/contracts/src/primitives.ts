import { z } from 'zod';

// Every string is bounded so a hostile or buggy producer cannot push unbounded payloads through the broker.

export const uuid = z.uuid();

// User ids come from the JWT `sub` claim of whatever identity provider is in front, so they are not assumed to be UUIDs.
export const userId = z.string().min(1).max(128);

// Offset is mandatory: a local time without a zone is ambiguous once it crosses a service boundary.
export const isoDateTime = z.iso.datetime({ offset: true });

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

export const shortText = z.string().min(1).max(200);
export const longText = z.string().max(5000);

export const geoPosition = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accuracyM: z.number().min(0).max(100_000).nullable(),
  recordedAt: isoDateTime,
});
export type GeoPosition = z.infer<typeof geoPosition>;
