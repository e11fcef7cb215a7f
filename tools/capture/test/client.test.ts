import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCapture, type TestCapture } from './support/capture.ts';

describe('CaptureClient waits', () => {
  let t: TestCapture;

  before(async () => {
    t = await startTestCapture();
  });
  after(() => t?.close());
  beforeEach(() => t.client.reset());

  it('when the awaited mails arrive after the wait started, then waitForMessages resolves with them', async () => {
    const waiting = t.client.waitForMessages({ to: 'ann@example.com' }, 2, 5000);
    const mailer = t.mailer();
    await sleep(100);
    await mailer.sendMail({ from: 'a@lifeline.test', to: 'bob@example.com', subject: 'not for ann', text: 'x' });
    await mailer.sendMail({ from: 'a@lifeline.test', to: 'ann@example.com', subject: 'one', text: 'x' });
    await mailer.sendMail({ from: 'a@lifeline.test', to: 'ann@example.com', subject: 'two', text: 'x' });

    assert.deepEqual((await waiting).map((m) => m.subject), ['one', 'two']);
  });

  it('when too few mails arrive in time, then waitForMessages rejects saying what it waited for and what it found', async () => {
    await t.mailer().sendMail({ from: 'a@lifeline.test', to: 'ann@example.com', subject: 'only one', text: 'x' });
    const started = Date.now();
    await assert.rejects(t.client.waitForMessages({ to: 'ann@example.com' }, 2, 300), /waited 300 ms for 2 message\(s\) matching \{"to":"ann@example.com"\}, found 1/);
    assert.ok(Date.now() - started >= 300);
  });

  it('when the awaited push arrives after the wait started, then waitForPushes resolves with it', async () => {
    const waiting = t.client.waitForPushes({ token: 'device-1' }, 1, 5000);
    await sleep(100);
    const res = await t.http('POST', '/fcm/v1/projects/p/messages:send', { message: { token: 'device-1', data: { a: 'b' } } });
    assert.equal(res.status, 200);
    const [push] = await waiting;
    assert.deepEqual(push?.data, { a: 'b' });
  });

  it('when no push arrives in time, then waitForPushes rejects', async () => {
    await assert.rejects(t.client.waitForPushes({ token: 'device-9' }, 1, 200), /found 0/);
  });
});
