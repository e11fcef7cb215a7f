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

/** GeoJSON (RFC 7946) Polygon with a single ring: [lon, lat] positions, closed, not crossing itself. */
export const polygonShape = z
  .strictObject({
    type: z.literal('Polygon'),
    coordinates: z
      .tuple([z.array(z.tuple([lon, lat])).max(MAX_POLYGON_VERTICES + 1)], { error: 'exactly one ring: holes are not supported' })
      .describe(`One closed ring of [lon, lat] positions (the last repeats the first), at most ${MAX_POLYGON_VERTICES} corners; edges may cross the antimeridian.`),
  })
  .superRefine((shape, ctx) => {
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
    z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))) }),
  ]),
  notify: z.array(z.string()),
  version: z.int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const geofenceListSchema = z.strictObject({ items: z.array(geofenceSchema) });
