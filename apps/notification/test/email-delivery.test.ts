import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { deliveryRows, outboxEvents } from './support/database.ts';
import { deliver, putPreferences, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

describe('email delivery of a reminder', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('email');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test', channels: { push: false, websocket: false } }, await as.user('rita'));
  });

  it('when reminder.due arrives, then the owner gets the mail, the record is sent and notification.sent is published', async () => {
    const reminder = reminderDue('rita', { title: 'Take medication' });
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');

    const [mail] = await h.capture.waitForMessages({ to: 'rita@example.test' }, 1);
    assert.ok(mail);
    assert.deepEqual(mail.to, ['rita@example.test']);
    assert.equal(mail.subject, 'Reminder: Take medication');
    assert.match(mail.text ?? '', /It is time for "Take medication"/);
    assert.match(mail.text ?? '', /Due: Mon 30 Mar 2026, 08:00 \(Europe\/Berlin\)/);
    assert.match(mail.html ?? '', /<strong>Take medication<\/strong>/);
    assert.match(mail.headers.from ?? '', /no-reply@lifeline\.test/);

    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 1);
    assert.equal(row?.cause_event_id, reminder.id);
    assert.equal(row?.provider_message_id, mail.messageId);

    const [sent] = await h.sidecar.waitForEvents('notification.sent', 1);
    assert.deepEqual(sent?.data, {
      notificationId: row?.id,
      userId: 'rita',
      channel: 'email',
      causeEventId: reminder.id,
      causeEventType: 'reminder.due',
      attempt: 1,
      sentAt: (sent?.data as { sentAt: string }).sentAt,
    });
  });

  it('when the same event is delivered twice, even at once, then one mail goes out and one sent event', async () => {
    const reminder = reminderDue('rita');
    const answers = await Promise.all([deliver(h.app.url, 'reminders', reminder), deliver(h.app.url, 'reminders', reminder)]);
    assert.deepEqual(answers.sort(), ['SUCCESS', 'SUCCESS']);
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    await h.capture.waitForMessages({ to: 'rita@example.test' }, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await h.capture.messages({ to: 'rita@example.test' })).length, 1);
    assert.equal((await deliveryRows(h.schema, `channel = 'email'`)).length, 1);
    assert.equal((await outboxEvents(h.schema)).filter((e) => e.type === 'notification.sent').length, 1);
  });

  it('when a task title carries markup, then the HTML part shows it escaped and the text part as written', async () => {
    await deliver(h.app.url, 'reminders', reminderDue('rita', { title: '<script>alert("x")</script> & co' }));
    const [mail] = await h.capture.waitForMessages({ to: 'rita@example.test' }, 1);
    assert.ok(mail?.html?.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
    assert.ok(!mail?.html?.includes('<script>'));
    assert.ok(mail?.text?.includes('<script>alert("x")</script> & co'));
  });

  it('when the SMTP server answers 451 twice and then accepts, then the mail is sent on the 3rd attempt (attempts=3)', async () => {
    await h.capture.failSmtp({ code: 451, message: '4.3.0 try again later', stage: 'rcpt', times: 2 });
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 3);
    assert.equal((await h.capture.messages({ to: 'rita@example.test' })).length, 1);
    const [sent] = await h.sidecar.waitForEvents('notification.sent', 1);
    assert.equal(sent?.data.attempt, 3);
  });

  it('when the SMTP server refuses for good (550), then the delivery fails at once, notification.failed is published and the event is dead-lettered', async () => {
    await h.capture.failSmtp({ code: 550, message: '5.1.1 no such mailbox', stage: 'rcpt', times: 1 });
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'DROP');
    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 1);
    assert.match(row?.last_error ?? '', /SMTP 550/);
    const [failed] = await h.sidecar.waitForEvents('notification.failed', 1);
    assert.equal(failed?.data.willRetry, false);
    assert.equal(failed?.data.attempt, 1);
    assert.match(String(failed?.data.error), /550/);
  });

  it('when every attempt meets a 4xx, then after the last one the delivery is failed and the event dead-lettered', async () => {
    await h.capture.failSmtp({ code: 421, message: '4.7.0 busy', stage: 'mail', times: 10 });
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'DROP');
    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 5);
    assert.equal((await h.capture.messages()).length, 0);
    await h.sidecar.waitForEvents('notification.failed', 1);
  });

  it('when a failed event is delivered again, then nothing is sent again and it is dead-lettered again', async () => {
    await h.capture.failSmtp({ code: 550, message: '5.1.1 no such mailbox', stage: 'rcpt', times: 1 });
    const reminder = reminderDue('rita');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'DROP');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'DROP');
    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.attempts, 1);
    assert.equal((await outboxEvents(h.schema)).filter((e) => e.type === 'notification.failed').length, 1);
  });
});
