import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NotificationLiveMessage } from '@lifeline/contracts';
import { deliveryRows } from './support/database.ts';
import { deliver, event, reminderDue, taskState } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { connectLive, refusedUpgrade, type LiveClient } from './support/live-client.ts';
import { signToken } from '@lifeline/kit';
import { eventually } from '@lifeline/kit/testing';
import { as, JWT_SECRET, type RunningNotificationApp } from './support/notification-app.ts';

const settle = () => new Promise((r) => setTimeout(r, 300));

function liveMessage(userId: string, publishedAt = new Date().toISOString()): NotificationLiveMessage {
  const id = randomUUID();
  return {
    id,
    userId,
    channel: 'websocket',
    publishedAt,
    notification: { id, kind: 'reminder.due', category: 'reminders', priority: 'normal', title: 'Hello', body: '', data: {}, createdAt: publishedAt },
  };
}

describe('live notifications over WebSocket', () => {
  let h: Harness;
  let replica: RunningNotificationApp;
  const clients: LiveClient[] = [];
  const connect = async (appUrl: string, opts: Parameters<typeof connectLive>[1]) => {
    const client = await connectLive(appUrl, opts);
    clients.push(client);
    return client;
  };

  before(async () => {
    h = await startHarness('websocket', { WS_HEARTBEAT_MS: '150' });
    replica = await h.replica();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await h?.close();
  });
  beforeEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await h.reset();
  });

  it('when a client is connected with its JWT, then it receives its notification live and the record is sent', async () => {
    const client = await connect(h.app.url, { authorization: await as.user('rita') });
    assert.deepEqual(client.frames[0], { type: 'ready', userId: 'rita' });
    const reminder = reminderDue('rita', { title: 'Take medication' });
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    await client.waitForNotifications(1);
    const [notification] = client.notifications();
    const [row] = await deliveryRows(h.schema, `channel = 'websocket'`);
    assert.equal(row?.status, 'sent');
    assert.equal(notification?.id, row?.id);
    assert.equal(notification?.title, 'Reminder: Take medication');
    assert.equal(notification?.data.taskId, reminder.data.taskId);
  });

  it('when a task carries 5000 characters of notes, then the live notification still arrives, its values cut to 500', async () => {
    const client = await connect(h.app.url, { authorization: await as.user('rita') });
    const task = taskState({ ownerId: 'rita', notes: 'n'.repeat(5000) });
    assert.equal(await deliver(h.app.url, 'task-events', event('task.created', { after: task }, { actor: 'carla' })), 'SUCCESS');
    await client.waitForNotifications(1);
    const notes = client.notifications()[0]?.data.notes ?? '';
    assert.equal(notes.length, 500);
    assert.ok(notes.endsWith('…'));
  });

  it('when the token comes as ?access_token=, then the socket is accepted too', async () => {
    const token = (await as.user('rita')).slice('Bearer '.length);
    const client = await connect(h.app.url, { query: `?access_token=${token}` });
    await deliver(h.app.url, 'reminders', reminderDue('rita'));
    await client.waitForNotifications(1);
  });

  it('when someone else is connected, then they do not receive the notification', async () => {
    const otto = await connect(h.app.url, { authorization: await as.user('otto') });
    const rita = await connect(h.app.url, { authorization: await as.user('rita') });
    await deliver(h.app.url, 'reminders', reminderDue('rita'));
    await rita.waitForNotifications(1);
    await settle();
    assert.equal(otto.notifications().length, 0);
  });

  it('when two instances share the database and Redis and the socket is on the other one, then it arrives through the fan-out exactly once', async () => {
    const onReplica = await connect(replica.url, { authorization: await as.user('rita') });
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    await onReplica.waitForNotifications(1);
    await settle();
    assert.equal(onReplica.notifications().length, 1);
  });

  it('when the user has a socket on each instance, then each socket gets the notification once', async () => {
    const first = await connect(h.app.url, { authorization: await as.user('rita') });
    const second = await connect(replica.url, { authorization: await as.user('rita') });
    await deliver(replica.url, 'reminders', reminderDue('rita'));
    await first.waitForNotifications(1);
    await second.waitForNotifications(1);
    await settle();
    assert.equal(first.notifications().length + second.notifications().length, 2);
  });

  it('when the same event reaches both instances at once, then one delivery is made and the socket gets it once', async () => {
    const client = await connect(replica.url, { authorization: await as.user('rita') });
    const reminder = reminderDue('rita');
    const answers = await Promise.all([deliver(h.app.url, 'reminders', reminder), deliver(replica.url, 'reminders', reminder)]);
    assert.deepEqual(answers, ['SUCCESS', 'SUCCESS']);
    await client.waitForNotifications(1);
    await settle();
    assert.equal(client.notifications().length, 1);
    assert.equal((await deliveryRows(h.schema, `channel = 'websocket'`)).length, 1);
  });

  it('when a client stops answering pings, then the heartbeat cuts it; a client that answers stays', async () => {
    const silent = await connect(h.app.url, { authorization: await as.user('rita'), autoPong: false });
    const lively = await connect(h.app.url, { authorization: await as.user('otto') });
    await once(silent.socket, 'close');
    await eventually(async () => h.app.hub.connections === 1, 'the hub to forget the cut socket');
    assert.equal(lively.socket.readyState, lively.socket.OPEN);
  });

  it('when a live message is redelivered, then the socket shows it once; when it is older than the window, not at all', async () => {
    const client = await connect(h.app.url, { authorization: await as.user('rita') });
    const fresh = liveMessage('rita');
    assert.equal(await deliver(h.app.url, 'notification-live', fresh, '/events/fanout/notification-live'), 'SUCCESS');
    assert.equal(await deliver(h.app.url, 'notification-live', fresh, '/events/fanout/notification-live'), 'SUCCESS');
    const stale = liveMessage('rita', new Date(Date.now() - 60_000).toISOString());
    assert.equal(await deliver(h.app.url, 'notification-live', stale, '/events/fanout/notification-live'), 'SUCCESS');
    await client.waitForNotifications(1);
    await settle();
    assert.deepEqual(client.notifications().map((n) => n.id), [fresh.id]);
  });

  it('when the fan-out refuses the publish once, then the WebSocket delivery is retried and still arrives', async () => {
    const client = await connect(h.app.url, { authorization: await as.user('rita') });
    h.sidecar.failPublishes('notification-live', 1);
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    await client.waitForNotifications(1);
    const [row] = await deliveryRows(h.schema, `channel = 'websocket'`);
    assert.equal(row?.attempts, 2);
  });

  it('when the upgrade has no token, a bad token or an expired one, then 401 problem+json and no socket', async () => {
    for (const authorization of [undefined, 'Bearer nonsense', 'Basic cml0YTpwdw==']) {
      const refused = await refusedUpgrade(h.app.url, { ...(authorization ? { authorization } : {}) });
      assert.equal(refused.status, 401);
      assert.match(refused.contentType, /application\/problem\+json/);
      assert.equal(refused.body.type, 'https://lifeline.dev/problems/unauthorized');
    }
    const tampered = await refusedUpgrade(h.app.url, { query: `?access_token=${(await as.user('rita')).slice(7)}x` });
    assert.equal(tampered.status, 401);
    const expired = await refusedUpgrade(h.app.url, { authorization: `Bearer ${await signToken(JWT_SECRET, { sub: 'rita', roles: ['user'] }, { expiresInSeconds: -60 })}` });
    assert.equal(expired.status, 401);
    assert.match(String(expired.body.detail), /expired/);
    assert.equal(h.app.hub.connections + replica.hub.connections, 0);
  });

  it('when an instance shuts down, then its clients are told "going away" (1001) so they reconnect elsewhere', async () => {
    const leaving = await h.replica();
    const client = await connectLive(leaving.url, { authorization: await as.user('rita') });
    const closed = once(client.socket, 'close');
    await leaving.close();
    const [code] = (await closed) as [number];
    assert.equal(code, 1001);
  });

  it('when the token a socket was opened with expires, then the socket is closed with 4401', async () => {
    const shortLived = `Bearer ${await signToken(JWT_SECRET, { sub: 'rita', roles: ['user'] }, { expiresInSeconds: 1 })}`;
    const client = await connect(h.app.url, { authorization: shortLived });
    const [code] = (await once(client.socket, 'close')) as [number];
    assert.equal(code, 4401);
  });

  it('when the upgrade goes to another path, then 404 problem+json', async () => {
    const refused = await refusedUpgrade(h.app.url, { path: '/sockets', authorization: await as.user('rita') });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.type, 'https://lifeline.dev/problems/not-found');
  });
});
