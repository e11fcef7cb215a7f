import { z } from 'zod';
import { text } from '../text.ts';
import { defineEvent } from '../envelope.ts';
import { eventTypeName, isoDateTime, userId, uuid } from '../primitives.ts';

export const notificationChannelSchema = z.enum(['email', 'websocket', 'push']);

/**
 * Why a delivery was not attempted. `no-address`: the channel has nowhere to go (no email address, no push
 * token). `duplicate` is kept for compatibility; the notification app makes no second delivery to suppress.
 */
export const notificationSuppressionReasonSchema = z.enum(['quiet-hours', 'rate-limited', 'preference-disabled', 'duplicate', 'no-address']);
export type NotificationSuppressionReason = z.infer<typeof notificationSuppressionReasonSchema>;

// Every delivery outcome points back at the event that caused it, so the audit trail can join them.
const deliveryFields = {
  notificationId: uuid,
  userId,
  channel: notificationChannelSchema,
  causeEventId: uuid,
  causeEventType: eventTypeName,
};

export const notificationSentEventSchema = defineEvent(
  'notification.sent',
  z.strictObject({ ...deliveryFields, attempt: z.int().min(1).max(100), sentAt: isoDateTime }),
);

export const notificationFailedEventSchema = defineEvent(
  'notification.failed',
  z.strictObject({
    ...deliveryFields,
    attempt: z.int().min(1).max(100),
    error: text().min(1).max(1000),
    willRetry: z.boolean(),
    failedAt: isoDateTime,
  }),
);

export const notificationSuppressedEventSchema = defineEvent(
  'notification.suppressed',
  z.strictObject({
    ...deliveryFields,
    reason: notificationSuppressionReasonSchema,
    suppressedAt: isoDateTime,
  }),
);

export const notificationEventSchema = z.discriminatedUnion('type', [
  notificationSentEventSchema,
  notificationFailedEventSchema,
  notificationSuppressedEventSchema,
]);
