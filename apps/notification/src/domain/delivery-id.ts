import { createHash } from 'node:crypto';
import type { NotificationChannel } from './notification.ts';

// Our own UUIDv5 namespace for delivery ids (a random v4, fixed forever).
const NAMESPACE = '5b0e9c1e-7a43-4f1d-9f83-2c6a0d4b8e17';

function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The delivery id is derived from its idempotency key, so every attempt to create the same delivery names
 * the same row, the same rate-limit entry and the same Message-ID, whichever replica or redelivery makes it.
 */
export function deliveryId(causeEventId: string, userId: string, channel: NotificationChannel): string {
  return uuidV5(`${causeEventId}\n${userId}\n${channel}`, NAMESPACE);
}
