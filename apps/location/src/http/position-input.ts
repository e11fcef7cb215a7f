import { z } from 'zod';
import { isoDateTime, text } from '@lifeline/contracts';

export const userId = text().min(1).max(128);
import { POSITION_SOURCES, MAX_BATCH } from '../domain/position.ts';

// The schemas the routes validate with; the OpenAPI document is generated from these same objects.

const finite = (min: number, max: number) => z.number().min(min).max(max);

const recordedAt = isoDateTime
  .transform((text) => new Date(text).toISOString())
  .describe('Device time of the fix: RFC 3339 with an offset, at most 5 minutes ahead and 7 days back; stored in UTC, milliseconds.');

/** One fix. Strict: a misspelt field is an error, not silently dropped. z.number() refuses NaN and Infinity. */
export const positionBody = z.strictObject({
  lat: finite(-90, 90).describe('Latitude, degrees (WGS 84).'),
  lon: finite(-180, 180).describe('Longitude, degrees (WGS 84), -180..180.'),
  accuracyM: finite(0, 100_000).describe('Radius of the 68% confidence circle, metres.'),
  recordedAt,
  altitudeM: finite(-1000, 100_000).nullable().default(null),
  speedMps: finite(0, 1000).nullable().default(null),
  headingDeg: z.number().min(0).lt(360).nullable().default(null),
  batteryPct: z.int().min(0).max(100).nullable().default(null),
  source: z.enum(POSITION_SOURCES).nullable().default(null),
});

export const personIdField = userId.optional().describe('Whose position; the caller when absent. A caregiver may name a person in their care claim.');

export const singlePositionBody = positionBody.extend({ personId: personIdField });

export const batchPositionsBody = z.strictObject({
  personId: personIdField,
  positions: z.array(positionBody).min(1).max(MAX_BATCH).describe(`One person's buffered fixes, any order, at most ${MAX_BATCH}.`),
});

export const recordedSchema = z.strictObject({
  accepted: z.int().describe('Points stored by this request.'),
  duplicates: z.int().describe('Points already stored earlier (same person and recordedAt): accepted once, not again.'),
  crossings: z
    .array(z.strictObject({ type: z.enum(['geofence.entered', 'geofence.exited']), geofenceId: z.uuid(), recordedAt: z.string() }))
    .describe('Fence crossings these points decided (published as geofence-events).'),
});

export const positionSchema = z.strictObject({
  lat: z.number(),
  lon: z.number(),
  accuracyM: z.number(),
  recordedAt: z.string(),
  altitudeM: z.number().nullable(),
  speedMps: z.number().nullable(),
  headingDeg: z.number().nullable(),
  batteryPct: z.int().nullable(),
  source: z.enum(POSITION_SOURCES).nullable(),
});

export const personParams = z.object({ id: userId.describe('The person (user id).') });

const instant = isoDateTime.transform((text) => new Date(text));

export const historyQuery = z
  .strictObject({
    from: instant.optional().describe('Inclusive; within the last 7 days. Default: a day before `to`.'),
    to: instant.optional().describe('Exclusive. Default: now.'),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { path: ['to'], message: 'must be after from' });

export const historyPageSchema = z.strictObject({
  items: z.array(positionSchema),
  next: z.string().nullable().describe('Pass as `from` for the next page; null when this one holds the rest.'),
});

export const TRAIL_BUCKETS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600 } as const;

export const trailQuery = z
  .strictObject({
    from: instant.optional().describe('Inclusive; within the last 90 days. Default: a day before `to`.'),
    to: instant.optional().describe('Exclusive. Default: now.'),
    bucket: z.enum(Object.keys(TRAIL_BUCKETS) as [keyof typeof TRAIL_BUCKETS]).default('1m').describe('One point per bucket: the last fix in it.'),
    limit: z.coerce.number().int().min(1).max(20_000).default(5000),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { path: ['to'], message: 'must be after from' });

export const trailSchema = z.strictObject({
  items: z.array(z.strictObject({ at: z.string(), lat: z.number(), lon: z.number(), accuracyM: z.number(), points: z.int() })),
});

export const nearbyQuery = z.strictObject({
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  radiusM: z.coerce.number().min(1).max(50_000).describe('Search radius, metres (at most 50 km).'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const nearbySchema = z.strictObject({
  items: z.array(z.strictObject({ personId: z.string(), distanceM: z.number(), position: positionSchema })),
});

export const trackQuery = z.strictObject({
  since: instant.describe('Points recorded at or after this instant (clamped to the 7 days kept).'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
