import { topicNames, type TopicName } from './topics.ts';

/**
 * Which app consumes which topic: part of the published contract, not just of each app's code.
 * Brokers that only keep messages for queues that already exist (RabbitMQ) are provisioned from this
 * map before any app starts, so an event published before its subscriber ever ran is not lost; each
 * app's tests assert that its /dapr/subscribe answer matches its entry here.
 */
export const subscribers = {
  audit: [...topicNames, ...topicNames.map(deadLetterTopic)],
  // emergency-positions: live positions of a person in danger, written to their viewers' WebSockets.
  notification: ['reminders', 'task-events', 'emergency-events', 'geofence-events', 'emergency-positions'],
  // Its own series events too: generation runs as their consumer, so a tasks app that is down delays it with retries.
  recurring: ['task-events', 'recurring-task-events'],
  tasks: [],
  // Delivery outcomes of its pages go on the emergency's timeline.
  emergency: ['notification-events'],
  // Publishes geofence-events and emergency-positions; emergency-events say whose positions go out live and who sees them.
  location: ['emergency-events'],
} as const satisfies Record<string, readonly string[]>;

export type SubscriberApp = keyof typeof subscribers;

/** Every subscription has a dead-letter topic with this name. */
export function deadLetterTopic(topic: TopicName): `${TopicName}.dead-letter` {
  return `${topic}.dead-letter`;
}

export function topicsConsumedBy(app: SubscriberApp): readonly string[] {
  return subscribers[app];
}
