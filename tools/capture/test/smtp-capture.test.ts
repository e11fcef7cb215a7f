import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCapture, type TestCapture } from './support/capture.ts';

describe('SMTP capture', () => {
  let t: TestCapture;

  before(async () => {
    t = await startTestCapture({ maxMessageBytes: 64 * 1024 });
  });
  after(() => t?.close());
  beforeEach(() => t.client.reset());

  it('when nodemailer sends a text and html mail to several recipients, then the capture stores it as delivered', async () => {
    const info = await t.mailer().sendMail({
      from: '"Lifeline" <no-reply@lifeline.test>',
      to: ['Ann <ann@example.com>', 'bob@example.com'],
      cc: 'carol@example.com',
      bcc: 'dave@example.com',
      subject: 'Take your medication — 08:00',
      text: 'It is time for Aspirin.',
      html: '<p>It is time for <b>Aspirin</b>.</p>',
      headers: { 'X-Lifeline-Delivery': 'del-42' },
    });
    assert.equal(info.accepted.length, 4);

    const [message, ...others] = await t.client.messages();
    assert.equal(others.length, 0);
    assert.ok(message);
    assert.equal(message.from, 'no-reply@lifeline.test');
    assert.deepEqual(message.to, ['ann@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
    assert.equal(message.subject, 'Take your medication — 08:00');
    assert.equal(message.text?.trim(), 'It is time for Aspirin.');
    assert.equal(message.html, '<p>It is time for <b>Aspirin</b>.</p>');
    assert.equal(message.messageId, info.messageId);
    assert.equal(message.headers.from, '"Lifeline" <no-reply@lifeline.test>');
    assert.equal(message.headers.to, '"Ann" <ann@example.com>, bob@example.com');
    assert.equal(message.headers['x-lifeline-delivery'], 'del-42');
    assert.equal(message.headers.bcc, undefined, 'nodemailer never writes Bcc into the message');
    assert.ok(message.size > 0);
    assert.ok(Math.abs(Date.parse(message.receivedAt) - Date.now()) < 5000);
    assert.deepEqual(await t.client.message(message.id), message);
  });

  it('when the sender authenticates with PLAIN or LOGIN, then the mail is accepted like any other', async () => {
    for (const authMethod of ['PLAIN', 'LOGIN']) {
      const mailer = t.mailer({ auth: { user: 'lifeline', pass: 'secret' }, authMethod });
      await mailer.sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: `auth ${authMethod}`, text: 'x' });
    }
    const subjects = (await t.client.messages()).map((m) => m.subject);
    assert.deepEqual(subjects, ['auth PLAIN', 'auth LOGIN']);
  });

  it('when messages are listed with to, from, subject and since, then only the matching ones come back, oldest first', async () => {
    const mailer = t.mailer();
    await mailer.sendMail({ from: 'x@lifeline.test', to: 'ann@example.com', subject: 'Reminder one', text: '1' });
    // receivedAt has millisecond precision: step past the first mail's millisecond.
    await sleep(5);
    const between = new Date();
    await mailer.sendMail({ from: 'y@lifeline.test', to: ['Ann@Example.com', 'bob@example.com'], subject: 'SOS raised', text: '2' });
    await mailer.sendMail({ from: 'x@lifeline.test', to: 'bob@example.com', subject: 'Reminder two', text: '3' });

    const subjects = async (filter: Parameters<typeof t.client.messages>[0]) => (await t.client.messages(filter)).map((m) => m.subject);
    assert.deepEqual(await subjects({ to: 'ANN@example.com' }), ['Reminder one', 'SOS raised']);
    assert.deepEqual(await subjects({ subject: 'reminder' }), ['Reminder one', 'Reminder two']);
    assert.deepEqual(await subjects({ from: 'x@lifeline.test', to: 'bob@example.com' }), ['Reminder two']);
    assert.deepEqual(await subjects({ since: between }), ['SOS raised', 'Reminder two']);
    assert.deepEqual(await subjects({ to: 'nobody@example.com' }), []);
  });

  it('when a message id is unknown, then the API answers 404 problem+json', async () => {
    const res = await t.http('GET', '/messages/does-not-exist');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await res.json()) as { type: string; detail: string };
    assert.equal(body.type, 'https://lifeline.dev/problems/message-not-found');
    assert.match(body.detail, /does-not-exist/);
  });

  it('when DELETE /messages is called, then every message is forgotten', async () => {
    await t.mailer().sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: 'gone', text: 'x' });
    assert.equal((await t.client.messages()).length, 1);
    await t.client.clearMessages();
    assert.deepEqual(await t.client.messages(), []);
  });

  it('when a mail is larger than the size limit, then the sender gets 552 and nothing is stored', async () => {
    await assert.rejects(
      t.mailer().sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: 'big', text: 'x'.repeat(100 * 1024) }),
      (err: { responseCode?: number }) => err.responseCode === 552,
    );
    assert.deepEqual(await t.client.messages(), []);
  });
});
