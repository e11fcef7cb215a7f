import { z } from 'zod';
import { text } from '../text.ts';
import { eventTypeName, isoDateTime, userId, uuid } from '../primitives.ts';
import { notificationChannelSchema } from './notification-events.ts';

/**
 * The notification app's internal fan-out: every replica receives every live message (pub/sub component
 * `fanout`, one consumer group per replica) and the one holding the user's WebSocket sends it. Not a domain
 * topic: deliberately absent from `topics`, so the audit trail does not subscribe to it.
 */
export const NOTIFICATION_LIVE_TOPIC = 'notification-live';

export const notificationCategorySchema = z.enum(['reminders', 'tasks', 'emergency', 'geofence']);
export type NotificationCategory = z.infer<typeof notificationCategorySchema>;

export const notificationPrioritySchema = z.enum(['normal', 'emergency']);
export type NotificationPriority = z.infer<typeof notificationPrioritySchema>;

/** What a client receives: enough to show the notification without another request. */
export const liveNotificationSchema = z.strictObject({
  id: uuid,
  kind: eventTypeName,
  category: notificationCategorySchema,
  priority: notificationPrioritySchema,
  title: text().min(1).max(300),
  body: text().max(2000),
  /** Values the client may use to link to what the notification is about (task id, emergency id, ...). */
  data: z.record(text().max(64), text().max(500)),
  createdAt: isoDateTime,
});
export type LiveNotification = z.infer<typeof liveNotificationSchema>;

export const notificationLiveMessageSchema = z.strictObject({
  /** The delivery (notification) id; replicas deduplicate redeliveries on it. */
  id: uuid,
  userId,
  channel: z.literal(notificationChannelSchema.enum.websocket),
  /** When it was handed to the fan-out; a replica ignores messages older than its window (a new consumer group may replay old ones). */
  publishedAt: isoDateTime,
  notification: liveNotificationSchema,
});
export type NotificationLiveMessage = z.infer<typeof notificationLiveMessageSchema>;
