import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestCapture, type TestCapture } from './support/capture.ts';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

async function problem(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Problem;
  assert.equal(body.status, status);
  return body;
}

describe('capture HTTP API', () => {
  let t: TestCapture;
  const sendPush = (token: string) => t.http('POST', '/fcm/v1/projects/p/messages:send', { message: { token } });

  before(async () => {
    t = await startTestCapture({ maxMessages: 3, maxPushes: 2 });
  });
  after(() => t?.close());
  beforeEach(() => t.client.reset());

  it('when /health is asked, then it answers ok with the SMTP port and what is stored', async () => {
    await t.mailer().sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: 's', text: 'x' });
    assert.deepEqual(await t.client.health(), { status: 'ok', smtpPort: t.capture.smtpPort, messages: 1, pushes: 0 });
  });

  it('when more messages and pushes arrive than the limits, then only the newest are kept', async () => {
    const mailer = t.mailer();
    for (let i = 1; i <= 5; i++) await mailer.sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: `m${i}`, text: 'x' });
    for (let i = 1; i <= 4; i++) assert.equal((await sendPush(`token-${i}`)).status, 200);

    const messages = await t.client.messages();
    assert.deepEqual(messages.map((m) => m.subject), ['m3', 'm4', 'm5']);
    assert.deepEqual((await t.client.pushes()).map((p) => p.token), ['token-3', 'token-4']);
    const first = messages[0];
    assert.ok(first);
    assert.equal((await t.client.message(first.id)).subject, 'm3');
    const health = await t.client.health();
    assert.equal(health.messages, 3);
    assert.equal(health.pushes, 2);
  });

  it('when DELETE /reset is called, then messages, pushes, faults and unregistered tokens are all forgotten', async () => {
    await t.mailer().sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: 's', text: 'x' });
    await sendPush('device-1');
    await t.client.unregisterToken('device-2');
    await t.client.failSmtp({ code: 451, message: '4.3.0 later', stage: 'rcpt' });
    await t.client.failPush({ status: 503 });

    assert.equal((await t.http('DELETE', '/reset')).status, 204);

    assert.deepEqual(await t.client.messages(), []);
    assert.deepEqual(await t.client.pushes(), []);
    assert.deepEqual(await t.client.smtpFaults(), []);
    assert.deepEqual(await t.client.pushFaults(), []);
    assert.equal((await sendPush('device-2')).status, 200);
    await t.mailer().sendMail({ from: 'a@lifeline.test', to: 'b@example.com', subject: 'after reset', text: 'x' });
  });

  it('when a list query is not valid, then 400 problem+json names the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/messages?since=yesterday', 'since'],
      ['/messages?since=2026-01-01T10:00:00', 'since'],
      ['/messages?recipient=a@example.com', 'recipient'],
      ['/messages?to=', 'to'],
      ['/messages?to=a@example.com&to=b@example.com', 'to'],
      ['/push/messages?token=', 'token'],
      ['/push/messages?since=3', 'since'],
    ];
    for (const [path, param] of cases) {
      const body = await problem(await t.http('GET', path), 400);
      assert.equal(body.type, 'https://lifeline.dev/problems/validation-error', path);
      assert.deepEqual(body.errors?.map((e) => e.path), [param], path);
    }
  });

  it('when a body is not JSON, empty or too large, then 400 or 413 problem+json explains it', async () => {
    assert.equal((await problem(await t.http('POST', '/smtp/faults', '{"code":'), 400)).type, 'https://lifeline.dev/problems/malformed-json');
    assert.match((await problem(await t.http('POST', '/push/faults', ''), 400)).detail, /empty/);
    const huge = JSON.stringify({ token: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal((await problem(await t.http('POST', '/push/unregistered', huge), 413)).type, 'https://lifeline.dev/problems/payload-too-large');
    assert.deepEqual(await t.client.smtpFaults(), []);
  });

  it('when a route does not exist or the method is wrong, then 404 or 405 with Allow answers', async () => {
    assert.equal((await problem(await t.http('GET', '/nothing-here'), 404)).type, 'https://lifeline.dev/problems/route-not-found');
    const wrong = await t.http('PUT', '/smtp/faults');
    assert.equal(wrong.headers.get('allow'), 'GET, POST, DELETE');
    assert.equal((await problem(wrong, 405)).type, 'https://lifeline.dev/problems/method-not-allowed');
    assert.equal((await problem(await t.http('GET', '/messages/%E0%A4%A'), 400)).type, 'https://lifeline.dev/problems/bad-request');
  });

  it('when the client gets an error answer, then CaptureApiError carries the status and the problem document', async () => {
    await assert.rejects(t.client.failPush({ status: 418 as 429 }), (err: { name: string; status: number; body: Problem }) => {
      assert.equal(err.name, 'CaptureApiError');
      assert.equal(err.status, 400);
      assert.equal(err.body.errors?.[0]?.path, 'status');
      return true;
    });
  });
});
