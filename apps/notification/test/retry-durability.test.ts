import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { admin, deliveryRows } from './support/database.ts';
import { deliver, putPreferences, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

/*
 * With no time budget a handler never waits out a backoff: it answers RETRY and the redelivery carries on.
 * That is what happens on a busy system (or after a crash) and shows that attempts live in the database.
 */
describe('retries across redeliveries', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('durable', { HANDLER_BUDGET_MS: '0', RETRY_BASE_MS: '10', RETRY_MAX_MS: '20', DELIVERY_MAX_ATTEMPTS: '3' });
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test', channels: { push: false, websocket: false } }, await as.user('rita'));
  });

  const setLease = (sql: string) => admin((c) => c.query(`UPDATE "${h.schema}".deliveries SET lease_until = ${sql} WHERE channel = 'email'`));
  const emailRow = async () => (await deliveryRows(h.schema, `channel = 'email'`))[0];

  it('when a transient failure needs a backoff the handler cannot wait for, then it answers RETRY and the redelivery sends with the next attempt', async () => {
    await h.capture.failSmtp({ code: 451, message: '4.3.0 try again later', stage: 'rcpt', times: 1 });
    const reminder = reminderDue('rita');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'RETRY');
    let row = await emailRow();
    assert.equal(row?.status, 'queued');
    assert.equal(row?.attempts, 1);
    assert.match(row?.last_error ?? '', /451/);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    row = await emailRow();
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 2);
    assert.equal((await h.capture.messages()).length, 1);
  });

  it('when another worker holds the delivery, then a redelivery waits (RETRY); when that worker died, its attempt still counts', async () => {
    await h.capture.failSmtp({ code: 451, message: '4.3.0 try again later', stage: 'rcpt', times: 1 });
    const reminder = reminderDue('rita');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'RETRY');
    // As if a worker claimed attempt 2 and is still sending...
    await admin((c) => c.query(`UPDATE "${h.schema}".deliveries SET attempts = 2 WHERE channel = 'email'`));
    await setLease(`clock_timestamp() + interval '1 minute'`);
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'RETRY');
    assert.equal((await h.capture.messages()).length, 0);
    // ...and then crashed: its lease runs out, the attempt stays counted.
    await setLease(`clock_timestamp() - interval '1 second'`);
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    const row = await emailRow();
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 3);
  });

  it('when the last attempt was interrupted, then the redelivery fails the delivery, publishes notification.failed and dead-letters the event', async () => {
    await h.capture.failSmtp({ code: 451, message: '4.3.0 try again later', stage: 'rcpt', times: 1 });
    const reminder = reminderDue('rita');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'RETRY');
    await admin((c) => c.query(`UPDATE "${h.schema}".deliveries SET attempts = 3 WHERE channel = 'email'`));
    await setLease(`clock_timestamp() - interval '1 second'`);
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'DROP');
    const row = await emailRow();
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 3);
    const [failed] = await h.sidecar.waitForEvents('notification.failed', 1);
    assert.equal(failed?.data.attempt, 3);
    assert.equal((await h.capture.messages()).length, 0);
  });
});
