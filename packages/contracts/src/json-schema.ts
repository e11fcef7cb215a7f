import { z } from 'zod';
import { eventSchemas, schemaVersionOf, topicNames, topics, type EventType, type TopicName } from './topics.ts';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

// Documentation only: which app publishes each topic (DESIGN.md "The six apps").
const producers: Record<TopicName, string> = {
  'task-events': 'tasks',
  'recurring-task-events': 'recurring',
  reminders: 'tasks',
  'notification-events': 'notification',
  'emergency-events': 'emergency',
  'geofence-events': 'location',
  'emergency-positions': 'location',
};

export function schemaFileName(topic: TopicName, type: EventType): string {
  return `${topic}.${type}.json`;
}

export function eventJsonSchema(topic: TopicName, type: EventType): Record<string, unknown> {
  const generated = z.toJSONSchema(eventSchemas[type], { target: 'draft-2020-12' });
  // The dialect is re-declared below, first; drop zod's own `$schema` from the body.
  const body: Record<string, unknown> = { ...generated };
  delete body.$schema;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `urn:lifeline:events:${type}:v${schemaVersionOf(type)}`,
    title: type,
    description: `Payload (CloudEvent data) of a "${type}" event on the "${topic}" topic.`,
    ...body,
  };
}

/** Every generated file, keyed by its path relative to the package root. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const topic of topicNames) {
    for (const type of topics[topic]) {
      files.set(`schemas/${schemaFileName(topic, type)}`, render(eventJsonSchema(topic, type)));
    }
  }
  files.set('asyncapi.json', render(asyncApiDocument()));
  return files;
}

export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const topic of topicNames) {
    channels[topic] = {
      address: topic,
      title: topic,
      description: `Published by the ${producers[topic]} app through the Dapr pub/sub component "pubsub".`,
      messages: Object.fromEntries(topics[topic].map((type) => [type, { $ref: `#/components/messages/${type}` }])),
      'x-lifeline-producer': producers[topic],
    };
    operations[`publish-${topic}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic}` },
      messages: topics[topic].map((type) => ({ $ref: `#/channels/${topic}/messages/${type}` })),
    };
    for (const type of topics[topic]) {
      messages[type] = {
        name: type,
        title: type,
        contentType: 'application/json',
        payload: {
          schemaFormat: 'application/schema+json;version=draft-2020-12',
          schema: { $ref: `./schemas/${schemaFileName(topic, type)}` },
        },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Lifeline events',
      version: '1.0.0',
      description:
        'Domain events exchanged through Dapr pub/sub. Each message travels as a CloudEvents 1.0 envelope whose `data` is the payload described here; its `id` is the idempotency key.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

function render(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
