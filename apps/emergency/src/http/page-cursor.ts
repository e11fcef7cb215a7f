import { z } from 'zod';
import { createCursorCodec, type CursorCodec } from '@lifeline/kit';
import type { EmergencyPosition } from '../domain/read-emergencies.ts';

const positionSchema = z.strictObject({
  createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  id: z.uuid(),
});

/** The cursors of GET /emergencies: the (createdAt, id) of the last emergency returned. */
export function createEmergencyCursors(secret: string): CursorCodec<EmergencyPosition> {
  return createCursorCodec({ secret, purpose: 'emergencies', position: positionSchema });
}
