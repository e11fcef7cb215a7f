import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicNames, topicsConsumedBy } from '@lifeline/contracts';
import { createLogger, createMetrics, daprClientFromConfig } from '@lifeline/kit';
import { createPrismaClient, disconnect } from '@lifeline/db';
import { createApp } from '../src/app.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { testConfig } from './support/audit-app.ts';

describe('what audit subscribes to', () => {
  // Nothing here queries: the client never opens a connection.
  const config = testConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  const prisma = createPrismaClient(PrismaClient, { connectionString: config.DATABASE_URL, schema: config.DB_SCHEMA });
  const { subscriptions } = createApp({
    config,
    prisma,
    dapr: daprClientFromConfig(config),
    logger: createLogger({ appId: 'audit', level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  const list = subscriptions.list();

  it('when the app is built, then its subscriptions are exactly the topics the contracts say audit consumes', async () => {
    assert.deepEqual(list.map((s) => s.topic).sort(), [...topicsConsumedBy('audit')].sort());
    await disconnect(prisma);
  });

  it('when a domain topic is subscribed, then its poison messages go to <topic>.dead-letter on the pubsub component', () => {
    for (const topic of topicNames) {
      const sub = list.find((s) => s.topic === topic);
      assert.equal(sub?.deadLetterTopic, `${topic}.dead-letter`);
      assert.equal(sub?.pubsubname, 'pubsub');
      assert.equal(sub?.routes.default, `/events/${topic}`);
    }
  });

  it('when a dead-letter topic is subscribed, then what cannot be recorded goes to dead-letters.unrecorded', () => {
    for (const topic of topicNames) {
      assert.equal(list.find((s) => s.topic === `${topic}.dead-letter`)?.deadLetterTopic, 'dead-letters.unrecorded');
    }
  });

  it('when the domain topics are subscribed, then in bulk with the configured limits; dead letters one at a time', () => {
    for (const topic of topicNames) {
      assert.deepEqual(list.find((s) => s.topic === topic)?.bulkSubscribe, { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 100 });
      assert.equal(list.find((s) => s.topic === `${topic}.dead-letter`)?.bulkSubscribe, undefined);
    }
  });
});
