import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { topicsConsumedBy } from '@lifeline/contracts';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { deleteDeliveriesOlderThan } from '../src/data/delivery-repository.ts';
import { admin, deliveryRows, snapshot } from './support/database.ts';
import { deliver, event, putPreferences, reminderDue, taskState } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { APP_TOKEN, as } from './support/notification-app.ts';

describe('what the sidecar delivers to notification', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('events');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test', channels: { push: false, websocket: false } }, await as.user('rita'));
  });

  it('when the sidecar asks /dapr/subscribe, then it gets the contract topics with dead-letter topics plus the live fan-out', async () => {
    const list = await expectJson<Array<{ pubsubname: string; topic: string; routes: { default: string }; deadLetterTopic: string }>>(
      await call(h.app.url, '/dapr/subscribe', undefined, { headers: { 'dapr-api-token': APP_TOKEN } }),
    );
    const domain = list.filter((s) => s.pubsubname === 'pubsub');
    assert.deepEqual(domain.map((s) => s.topic).sort(), [...topicsConsumedBy('notification')].sort());
    for (const s of domain) {
      assert.equal(s.deadLetterTopic, `${s.topic}.dead-letter`);
      assert.equal(s.routes.default, `/events/${s.topic}`);
    }
    const live = list.filter((s) => s.pubsubname !== 'pubsub');
    assert.deepEqual(live.map((s) => [s.pubsubname, s.topic, s.routes.default]), [
      ['fanout', 'notification-live', '/events/fanout/notification-live'],
      ['fanout', 'notification-positions', '/events/fanout/notification-positions'],
    ]);
    await expectProblem(await call(h.app.url, '/dapr/subscribe', undefined), 401);
  });

  it('when the sidecar, the database and Redis answer, then /health/ready is 200 and names each check', async () => {
    const ready = await expectJson<{ checks: Array<{ name: string; ok: boolean }> }>(await call(h.app.url, '/health/ready', undefined));
    assert.deepEqual(ready.checks.map((c) => [c.name, c.ok]), [['sidecar', true], ['database', true], ['redis', true]]);
  });

  it('when event data breaks the contract, then it is DROP (dead letter) and nothing is written', async () => {
    const before = await snapshot(h.schema);
    const broken = { ...reminderDue('rita'), data: { ownerId: 'rita' } };
    assert.equal(await deliver(h.app.url, 'reminders', broken), 'DROP');
    assert.equal(await deliver(h.app.url, 'reminders', event('geofence.entered', { geofenceId: randomUUID(), geofenceName: 'Home', userId: 'rita', position: { lat: 1, lon: 2, accuracyM: null, recordedAt: new Date().toISOString() }, caregivers: [] })), 'DROP');
    assert.deepEqual(await snapshot(h.schema), before);
  });

  it('when a caregiver creates or changes a person task, then the person is told by mail', async () => {
    const task = taskState({ ownerId: 'rita', title: 'Call the doctor', createdBy: 'carla' });
    assert.equal(await deliver(h.app.url, 'task-events', event('task.created', { after: task }, { actor: 'carla' })), 'SUCCESS');
    const changed = { ...task, title: 'Call Dr. Weiss', version: 2 };
    const updated = event('task.updated', { before: task, after: changed, changedFields: ['title', 'version'] }, { actor: 'carla' });
    assert.equal(await deliver(h.app.url, 'task-events', updated), 'SUCCESS');
    const mails = await h.capture.waitForMessages({ to: 'rita@example.test' }, 2);
    const subjects = mails.map((m) => m.subject).sort();
    assert.deepEqual(subjects, ['New task: Call the doctor', 'Task changed: Call Dr. Weiss']);
    const change = mails.find((m) => m.subject.startsWith('Task changed'));
    assert.match(change?.text ?? '', /carla changed one of your tasks/);
    assert.match(change?.text ?? '', /Changed: title, version/);
  });

  it('when the person changes their own task, or the system does, then nobody is told', async () => {
    const task = taskState({ ownerId: 'rita', createdBy: 'rita' });
    assert.equal(await deliver(h.app.url, 'task-events', event('task.created', { after: task }, { actor: 'rita' })), 'SUCCESS');
    assert.equal(await deliver(h.app.url, 'task-events', event('task.deleted', { before: task })), 'SUCCESS');
    assert.equal((await deliveryRows(h.schema)).length, 0);
  });

  it('when a geofence is left, then the person and the caregivers the event names are told with the place and time in their timezone', async () => {
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test', timezone: 'Europe/Berlin', channels: { push: false, websocket: false } }, await as.user('rita'));
    await putPreferences(h.app.url, 'carl', { email: 'carl@example.test', timezone: 'UTC', channels: { push: false, websocket: false } }, await as.user('carl'));
    const exited = event(
      'geofence.exited',
      { geofenceId: randomUUID(), geofenceName: 'Home', userId: 'rita', position: { lat: 52.52, lon: 13.4, accuracyM: 10, recordedAt: '2026-07-01T10:00:00.000Z' }, caregivers: ['carl', 'rita'] },
      { source: 'location' },
    );
    assert.equal(await deliver(h.app.url, 'geofence-events', exited), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: 'rita@example.test' }, 1);
    assert.equal(mail?.subject, 'Left Home');
    assert.match(mail?.text ?? '', /When: Wed 1 Jul 2026, 12:00 \(Europe\/Berlin\)/);
    const [carlMail] = await h.capture.waitForMessages({ to: 'carl@example.test' }, 1);
    assert.equal(carlMail?.subject, 'rita left Home');
    assert.match(carlMail?.text ?? '', /When: Wed 1 Jul 2026, 10:00 \(UTC\)/);
    const rows = await deliveryRows(h.schema, `channel = 'email'`);
    assert.deepEqual(rows.map((r) => r.category), ['geofence', 'geofence']);
  });

  it('when deliveries are older than the retention, then housekeeping deletes them in chunks and keeps the recent ones', async () => {
    for (let i = 0; i < 3; i++) await deliver(h.app.url, 'reminders', reminderDue('rita'));
    await admin((c) => c.query(`UPDATE "${h.schema}".deliveries SET created_at = now() - interval '91 days' WHERE cause_event_id IN (SELECT cause_event_id FROM "${h.schema}".deliveries LIMIT 2)`));
    const total = (await deliveryRows(h.schema)).length;
    const old = (await deliveryRows(h.schema, `created_at < now() - interval '90 days'`)).length;
    assert.ok(old > 0 && old < total);
    assert.equal(await deleteDeliveriesOlderThan(h.app.prisma, 90, 1), 1);
    assert.equal(await deleteDeliveriesOlderThan(h.app.prisma, 90, 1000), old - 1);
    assert.equal((await deliveryRows(h.schema)).length, total - old);
  });
});
