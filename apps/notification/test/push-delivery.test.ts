import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { deliveryRows } from './support/database.ts';
import { deliver, putPreferences, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as, FCM_PROJECT } from './support/notification-app.ts';

describe('push delivery (FCM HTTP v1 against the capture server)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('push');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const pushOnly = async (tokens: string[]) =>
    putPreferences(h.app.url, 'rita', { pushTokens: tokens, channels: { email: false, websocket: false } }, await as.user('rita'));
  const storedTokens = async () => ((await (await fetch(`${h.app.url}/notification/preferences/rita`, { headers: { authorization: await as.user('rita') } })).json()) as { pushTokens: string[] }).pushTokens;

  it('when a reminder is due, then every device gets the push with title, body and data, and the record keeps FCM message names', async () => {
    await pushOnly(['phone-token', 'tablet-token']);
    const reminder = reminderDue('rita', { title: 'Take medication' });
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    const pushes = await h.capture.waitForPushes({}, 2);
    assert.deepEqual(pushes.map((p) => p.token).sort(), ['phone-token', 'tablet-token']);
    const phone = pushes.find((p) => p.token === 'phone-token');
    assert.equal(phone?.project, FCM_PROJECT);
    assert.deepEqual(phone?.notification, { title: 'Reminder: Take medication', body: 'Due Mon 30 Mar 2026, 08:00 (Europe/Berlin).' });
    assert.equal(phone?.data.taskId, reminder.data.taskId);
    assert.equal(phone?.data.kind, 'reminder.due');
    const [row] = await deliveryRows(h.schema, `channel = 'push'`);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 1);
    assert.deepEqual(row?.provider_message_id?.split(' ').sort(), pushes.map((p) => p.name).sort());
    assert.equal(phone?.data.notificationId, row?.id);
  });

  it('when the provider reports a token as unregistered, then that token is removed and the other device still gets it', async () => {
    await pushOnly(['old-phone', 'new-phone']);
    await h.capture.unregisterToken('old-phone');
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    assert.deepEqual((await h.capture.pushes()).map((p) => p.token), ['new-phone']);
    assert.deepEqual(await storedTokens(), ['new-phone']);
    const [row] = await deliveryRows(h.schema, `channel = 'push'`);
    assert.equal(row?.status, 'sent');
  });

  it('when the only token is unregistered, then it is removed and the delivery fails without retrying', async () => {
    await pushOnly(['gone']);
    await h.capture.unregisterToken('gone');
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'DROP');
    assert.deepEqual(await storedTokens(), []);
    const [row] = await deliveryRows(h.schema, `channel = 'push'`);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 1);
    assert.match(row?.last_error ?? '', /404.*UNREGISTERED/);
  });

  it('when the provider answers 503 and then 429, then the push is retried with backoff and sent on the 3rd attempt', async () => {
    await pushOnly(['phone']);
    await h.capture.failPush({ status: 503, times: 1 });
    await h.capture.failPush({ status: 429, times: 1 });
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    const [row] = await deliveryRows(h.schema, `channel = 'push'`);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 3);
    assert.equal((await h.capture.pushes()).length, 1);
  });
});
