export { actorSchema, defineEvent, SCHEMA_VERSION, type Actor } from './envelope.ts';
export { makeEvent, type EventInit } from './make-event.ts';
export {
  eventSchemas,
  isEventType,
  parseTopicEvent,
  topicNames,
  topicOf,
  topics,
  topicSchemas,
  type AnyEvent,
  type DataOf,
  type EventOf,
  type EventType,
  type TopicEvent,
  type TopicName,
  type TopicTypes,
} from './topics.ts';
export {
  geoPosition as geoPositionSchema,
  INSTANT_MAX,
  INSTANT_MIN,
  isInstantInWindow,
  isoDateTime,
  type GeoPosition,
} from './primitives.ts';
export { isStorableText, text, UNSTORABLE_TEXT_MESSAGE } from './text.ts';
export * from './events/task-events.ts';
export * from './events/recurring-task-events.ts';
export * from './events/reminders.ts';
export * from './events/notification-events.ts';
export * from './events/notification-live.ts';
export * from './events/emergency-events.ts';
export * from './events/geofence-events.ts';
export * from './events/emergency-positions.ts';
export { deadLetterTopic, subscribers, topicsConsumedBy, type SubscriberApp } from './subscribers.ts';
