import type { z } from 'zod';
import { emergencyAcknowledgedEventSchema, emergencyCancelledEventSchema, emergencyCheckInMissedEventSchema, emergencyCreatedEventSchema, emergencyEscalatedEventSchema, emergencyEventSchema, emergencyExhaustedEventSchema, emergencyResolvedEventSchema } from './events/emergency-events.ts';
import { emergencyPositionEventSchema, emergencyPositionsEventSchema } from './events/emergency-positions.ts';
import { geofenceEnteredEventSchema, geofenceEventSchema, geofenceExitedEventSchema } from './events/geofence-events.ts';
import { notificationEventSchema, notificationFailedEventSchema, notificationSentEventSchema, notificationSuppressedEventSchema } from './events/notification-events.ts';
import { instancesGeneratedEventSchema, recurringTaskEventSchema, seriesCreatedEventSchema, seriesEndedEventSchema, seriesUpdatedEventSchema } from './events/recurring-task-events.ts';
import { reminderDueEventSchema, reminderEventSchema } from './events/reminders.ts';
import { taskCompletedEventSchema, taskCreatedEventSchema, taskDeletedEventSchema, taskEventSchema, taskUpdatedEventSchema } from './events/task-events.ts';

export const topics = {
  'task-events': ['task.created', 'task.updated', 'task.completed', 'task.deleted'],
  'recurring-task-events': ['series.created', 'series.updated', 'series.ended', 'instances.generated'],
  reminders: ['reminder.due'],
  'notification-events': ['notification.sent', 'notification.failed', 'notification.suppressed'],
  'emergency-events': [
    'emergency.created',
    'emergency.acknowledged',
    'emergency.escalated',
    'emergency.resolved',
    'emergency.cancelled',
    'emergency.exhausted',
    'emergency.check_in_missed',
  ],
  'geofence-events': ['geofence.entered', 'geofence.exited'],
  'emergency-positions': ['emergency.position'],
} as const;

export type TopicName = keyof typeof topics;
export type EventType = (typeof topics)[TopicName][number];
export type TopicTypes<T extends TopicName> = (typeof topics)[T][number];

export const topicNames = Object.keys(topics) as TopicName[];

export const eventSchemas = {
  'task.created': taskCreatedEventSchema,
  'task.updated': taskUpdatedEventSchema,
  'task.completed': taskCompletedEventSchema,
  'task.deleted': taskDeletedEventSchema,
  'series.created': seriesCreatedEventSchema,
  'series.updated': seriesUpdatedEventSchema,
  'series.ended': seriesEndedEventSchema,
  'instances.generated': instancesGeneratedEventSchema,
  'reminder.due': reminderDueEventSchema,
  'notification.sent': notificationSentEventSchema,
  'notification.failed': notificationFailedEventSchema,
  'notification.suppressed': notificationSuppressedEventSchema,
  'emergency.created': emergencyCreatedEventSchema,
  'emergency.acknowledged': emergencyAcknowledgedEventSchema,
  'emergency.escalated': emergencyEscalatedEventSchema,
  'emergency.resolved': emergencyResolvedEventSchema,
  'emergency.cancelled': emergencyCancelledEventSchema,
  'emergency.exhausted': emergencyExhaustedEventSchema,
  'emergency.check_in_missed': emergencyCheckInMissedEventSchema,
  'geofence.entered': geofenceEnteredEventSchema,
  'geofence.exited': geofenceExitedEventSchema,
  'emergency.position': emergencyPositionEventSchema,
} as const satisfies { [T in EventType]: z.ZodType<{ type: T }> };

/** One schema per topic: a subscriber validates whatever arrives on its topic with it and narrows on `type`. */
export const topicSchemas = {
  'task-events': taskEventSchema,
  'recurring-task-events': recurringTaskEventSchema,
  reminders: reminderEventSchema,
  'notification-events': notificationEventSchema,
  'emergency-events': emergencyEventSchema,
  'geofence-events': geofenceEventSchema,
  'emergency-positions': emergencyPositionsEventSchema,
} as const satisfies { [T in TopicName]: z.ZodType<{ type: TopicTypes<T> }> };

export type EventOf<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
export type DataOf<T extends EventType> = EventOf<T>['data'];
export type TopicEvent<T extends TopicName> = z.infer<(typeof topicSchemas)[T]>;
export type AnyEvent = TopicEvent<TopicName>;

const topicByType = new Map<string, TopicName>(
  topicNames.flatMap((topic) => topics[topic].map((type) => [type, topic] as const)),
);

/** The data schema version an event type is at (the envelope's `schemaVersion`); 1 unless a breaking change bumped it. */
export function schemaVersionOf(type: EventType): number {
  return eventSchemas[type].shape.schemaVersion.value;
}

export function isEventType(value: string): value is EventType {
  return topicByType.has(value);
}

export function topicOf(type: EventType): TopicName {
  const topic = topicByType.get(type);
  if (!topic) throw new Error(`unknown event type "${type}"`);
  return topic;
}

/** Validates a received event against its topic's union; the caller decides between DROP and RETRY. */
export function parseTopicEvent<T extends TopicName>(topic: T, value: unknown) {
  return topicSchemas[topic].safeParse(value) as z.ZodSafeParseResult<TopicEvent<T>>;
}
