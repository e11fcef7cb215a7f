import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makeEvent } from '@lifeline/contracts';
import { addUserContact, getEmergency, raise, someone } from './support/api.ts';
import { createTestSchema, dropSchema, outboxEvents } from './support/database.ts';
import { APP_TOKEN, as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

describe('delivery outcomes on the timeline', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('outcomes');
    app = await startEmergencyApp({ schema });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  /** As daprd delivers on the topic route: a CloudEvent whose data is the contract event. */
  async function deliver(data: unknown): Promise<string> {
    const res = await fetch(`${app.url}/events/notification-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN },
      body: JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'notification', type: 'com.dapr.event.sent', datacontenttype: 'application/json', topic: 'notification-events', pubsubname: 'pubsub', data }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return (JSON.parse(text) as { status: string }).status;
  }

  const outcome = (causeEventId: string, causeEventType: string, userId: string) =>
    makeEvent('notification.failed', {
      source: 'notification',
      subject: randomUUID(),
      actor: { id: 'notification', kind: 'system' },
      data: { notificationId: randomUUID(), userId, channel: 'email', causeEventId, causeEventType, attempt: 2, error: 'SMTP 550 mailbox unavailable', willRetry: false, failedAt: new Date().toISOString() },
    });

  it('when notification reports how a page went, then the timeline says so once, even when the report is redelivered', async () => {
    const auth = await as.user(someone('ann'));
    const bob = someone('bob');
    await addUserContact(app.url, auth, bob);
    const e = await raise(app.url, auth);
    await app.tick();
    const page = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.escalated');
    assert.ok(page);
    const report = outcome(page.id, 'emergency.escalated', bob);
    assert.equal(await deliver(report), 'SUCCESS');
    assert.equal(await deliver(report), 'SUCCESS');
    const deliveries = (await getEmergency(app.url, auth, e.id)).timeline?.filter((t) => t.kind === 'delivery') ?? [];
    assert.equal(deliveries.length, 1);
    assert.deepEqual(
      { outcome: deliveries[0]?.data.outcome, recipient: deliveries[0]?.data.recipient, channel: deliveries[0]?.data.channel, tier: deliveries[0]?.data.tier, error: deliveries[0]?.data.error },
      { outcome: 'failed', recipient: bob, channel: 'email', tier: 1, error: 'SMTP 550 mailbox unavailable' },
    );
  });

  it('when an outcome concerns something else (a reminder, an unknown page), then it is acknowledged and nothing is written', async () => {
    assert.equal(await deliver(outcome(randomUUID(), 'reminder.due', 'x')), 'SUCCESS');
    assert.equal(await deliver(outcome(randomUUID(), 'emergency.escalated', 'x')), 'SUCCESS');
  });

  it('when the data breaks the contract, then it is DROP (dead letter)', async () => {
    assert.equal(await deliver({ type: 'notification.sent', nonsense: true }), 'DROP');
  });
});
