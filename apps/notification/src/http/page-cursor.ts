import { z } from 'zod';
import { createCursorCodec, type CursorCodec } from '@lifeline/kit';
import type { Keyset } from '../data/delivery-list-repository.ts';

const keysetSchema = z.strictObject({ createdAt: z.iso.datetime({ precision: 3 }), id: z.uuid() });

/** The cursors of GET /notifications: the position is the (createdAt, id) of the last delivery returned. */
export function createDeliveryCursors(secret: string): CursorCodec<Keyset> {
  return createCursorCodec({ secret, purpose: 'notification/deliveries', position: keysetSchema });
}
