import { uuidV5 } from '@lifeline/kit';
import type { NotificationChannel } from './notification.ts';

// Our own UUIDv5 namespace for delivery ids (a random v4, fixed forever).
const NAMESPACE = '5b0e9c1e-7a43-4f1d-9f83-2c6a0d4b8e17';

/**
 * The delivery id is derived from its idempotency key, so every attempt to create the same delivery names
 * the same row, the same rate-limit entry and the same Message-ID, whichever replica or redelivery makes it.
 */
export function deliveryId(causeEventId: string, userId: string, channel: NotificationChannel): string {
  return uuidV5(`${causeEventId}\n${userId}\n${channel}`, NAMESPACE);
}
