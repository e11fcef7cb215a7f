import { z } from 'zod';
import { text } from '@lifeline/contracts';
import { MAX_POLYGON_VERTICES, ringProblem } from '../domain/geometry/polygon.ts';
import { personIdField, userId } from './position-input.ts';

const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);

export const circleShape = z.strictObject({
  type: z.literal('circle'),
  center: z.strictObject({ lat, lon }),
  radiusM: z.number().min(10).max(100_000).describe('Metres, 10 m to 100 km.'),
});

/**
 * A GeoJSON position [lon, lat]. An array of two numbers rather than a tuple: the tuple's prefixItems is
 * valid OpenAPI 3.1, but schemathesis (4.32) cannot validate answers against it, so the fuzzer could not
 * check the geofence routes. The per-index ranges are checked here and named in the description.
 */
const lonLat = z
  .array(z.number().min(-180).max(180))
  .length(2, 'a position is [lon, lat]')
  .superRefine((position, ctx) => {
    const latitude = position[1] ?? 0;
    if (latitude < -90 || latitude > 90) ctx.addIssue({ code: 'custom', path: [1], message: 'latitude must be within -90..90' });
  })
  .transform((position): [number, number] => [position[0] ?? 0, position[1] ?? 0])
  .describe('[lon, lat]: longitude -180..180, latitude -90..90.');

/** GeoJSON (RFC 7946) Polygon with a single ring: [lon, lat] positions, closed, not crossing itself. */
export const polygonShape = z
  .strictObject({
    type: z.literal('Polygon'),
    coordinates: z
      .array(z.array(lonLat).max(MAX_POLYGON_VERTICES + 1))
      .length(1, 'exactly one ring: holes are not supported')
      .transform((rings): [Array<[number, number]>] => [rings[0] ?? []])
      .describe(`One closed ring of [lon, lat] positions (the last repeats the first), at most ${MAX_POLYGON_VERTICES} corners; edges may cross the antimeridian.`),
  })
  .superRefine((shape, ctx) => {
    // zod still runs this refinement when a part already failed (a missing ring, a 3-number position):
    // such a ring has its issue and is not examined further.
    const ring: ReadonlyArray<readonly number[]> | undefined = shape.coordinates[0];
    if (ring === undefined || ring.some((position) => position.length !== 2)) return;
    const problem = ringProblem(shape.coordinates[0]);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['coordinates', 0], message: problem });
  });

export const fenceShape = z.union([circleShape, polygonShape]).describe('A circle, or a GeoJSON Polygon.');

const name = text().trim().min(1, 'must not be blank').max(200);
const notify = z.array(userId).max(20).describe('Users told on every crossing besides the person; default: the caregiver who draws the fence.');

export const createGeofenceBody = z.strictObject({
  personId: personIdField,
  name,
  active: z.boolean().default(true),
  shape: fenceShape,
  notify: notify.optional(),
});

export const patchGeofenceBody = z
  .strictObject({ name, active: z.boolean(), shape: fenceShape, notify })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one field to change' });

export const geofenceIdParams = z.object({ id: z.uuid('expected a geofence id (UUID)') });

export const listGeofencesQuery = z.strictObject({ personId: personIdField });

export const geofenceSchema = z.strictObject({
  id: z.uuid(),
  personId: z.string(),
  name: z.string(),
  active: z.boolean(),
  shape: z.union([
    z.strictObject({ type: z.literal('circle'), center: z.strictObject({ lat: z.number(), lon: z.number() }), radiusM: z.number() }),
    z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.array(z.number()))) }),
  ]),
  notify: z.array(z.string()),
  version: z.int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const geofenceListSchema = z.strictObject({ items: z.array(geofenceSchema) });
