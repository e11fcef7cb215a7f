import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestCapture, type TestCapture } from './support/capture.ts';

interface SmtpError {
  responseCode?: number;
  response?: string;
  command?: string;
}

function smtpError(code: number, response: string, command: string) {
  return (err: SmtpError) => {
    assert.equal(err.responseCode, code);
    assert.equal(err.response, response);
    assert.equal(err.command, command);
    return true;
  };
}

describe('SMTP fault injection', () => {
  let t: TestCapture;
  const mail = (to: string | string[], subject: string) => t.mailer().sendMail({ from: 'no-reply@lifeline.test', to, subject, text: subject });

  before(async () => {
    t = await startTestCapture();
  });
  after(() => t?.close());
  beforeEach(() => t.client.reset());

  it('when a 451 is queued twice at RCPT, then nodemailer sees it on two sends and the third one arrives', async () => {
    await t.client.failSmtp({ code: 451, message: '4.3.0 try again later', times: 2, stage: 'rcpt' });

    await assert.rejects(mail('ann@example.com', 'try 1'), smtpError(451, '451 4.3.0 try again later', 'RCPT TO'));
    await assert.rejects(mail('ann@example.com', 'try 2'), smtpError(451, '451 4.3.0 try again later', 'RCPT TO'));
    const info = await mail('ann@example.com', 'try 3');

    assert.deepEqual(info.accepted, ['ann@example.com']);
    assert.deepEqual((await t.client.messages()).map((m) => m.subject), ['try 3']);
    assert.deepEqual(await t.client.smtpFaults(), []);
  });

  it('when a fault matches one recipient, then only that recipient is refused and the others still get the mail', async () => {
    await t.client.failSmtp({ code: 550, message: '5.1.1 mailbox unavailable', stage: 'rcpt', match: { to: 'Gone@Example.com' } });

    const info = await mail(['ann@example.com', 'gone@example.com'], 'partial');

    assert.deepEqual(info.accepted, ['ann@example.com']);
    assert.deepEqual(info.rejected, ['gone@example.com']);
    const [message] = await t.client.messages();
    assert.deepEqual(message?.to, ['ann@example.com']);
  });

  it('when a fault fires for a mail with several recipients, then all of them get it and it counts as one transaction', async () => {
    await t.client.failSmtp({ code: 452, message: '4.2.2 mailbox full', stage: 'rcpt', times: 1 });

    await assert.rejects(mail(['ann@example.com', 'bob@example.com'], 'first'), smtpError(452, '452 4.2.2 mailbox full', 'RCPT TO'));
    await mail(['ann@example.com', 'bob@example.com'], 'second');

    assert.deepEqual((await t.client.messages()).map((m) => [m.subject, m.to]), [['second', ['ann@example.com', 'bob@example.com']]]);
  });

  it('when a fault is queued at DATA, then the mail is refused after its content and nothing is stored', async () => {
    await t.client.failSmtp({ code: 554, message: '5.6.0 content rejected', stage: 'data' });

    await assert.rejects(mail('ann@example.com', 'refused'), smtpError(554, '554 5.6.0 content rejected', 'DATA'));
    await mail('ann@example.com', 'accepted');

    assert.deepEqual((await t.client.messages()).map((m) => m.subject), ['accepted']);
  });

  it('when a fault is queued at MAIL FROM for one sender, then only mail from that sender is refused', async () => {
    await t.client.failSmtp({ code: 451, message: '4.7.1 sender throttled', stage: 'mail', match: { from: 'no-reply@lifeline.test' } });

    await t.mailer().sendMail({ from: 'other@lifeline.test', to: 'ann@example.com', subject: 'other sender', text: 'x' });
    await assert.rejects(mail('ann@example.com', 'throttled'), smtpError(451, '451 4.7.1 sender throttled', 'MAIL FROM'));

    assert.deepEqual((await t.client.messages()).map((m) => m.subject), ['other sender']);
  });

  it('when faults are queued, then they apply in order and GET lists what is left of each', async () => {
    const first = await t.client.failSmtp({ code: 451, message: '4.3.0 first', stage: 'rcpt', times: 1 });
    const second = await t.client.failSmtp({ code: 452, message: '4.3.1 second', stage: 'rcpt', times: 3 });
    assert.deepEqual(await t.client.smtpFaults(), [first, second]);
    assert.deepEqual(second.match, null);
    assert.equal(second.remaining, 3);

    await assert.rejects(mail('ann@example.com', 'a'), smtpError(451, '451 4.3.0 first', 'RCPT TO'));
    await assert.rejects(mail('ann@example.com', 'b'), smtpError(452, '452 4.3.1 second', 'RCPT TO'));
    assert.deepEqual(await t.client.smtpFaults(), [{ ...second, remaining: 2 }]);

    await t.client.clearSmtpFaults();
    await mail('ann@example.com', 'c');
    assert.deepEqual((await t.client.messages()).map((m) => m.subject), ['c']);
  });

  it('when a fault is not valid, then POST /smtp/faults answers 400 naming the field and queues nothing', async () => {
    const cases: Array<[object, string]> = [
      [{ code: 250, message: 'ok', stage: 'rcpt' }, 'code'],
      [{ code: 451, message: 'split\r\n250 ok', stage: 'rcpt' }, 'message'],
      [{ code: 451, message: 'x', stage: 'helo' }, 'stage'],
      [{ code: 451, message: 'x', stage: 'rcpt', times: 0 }, 'times'],
      [{ code: 451, message: 'x', stage: 'mail', match: { to: 'a@example.com' } }, 'match.to'],
      [{ code: 451, message: 'x', stage: 'rcpt', when: 'now' }, 'when'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http('POST', '/smtp/faults', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const problem = (await res.json()) as { type: string; errors: Array<{ path: string }> };
      assert.equal(problem.type, 'https://lifeline.dev/problems/validation-error');
      assert.deepEqual(problem.errors.map((e) => e.path), [field], JSON.stringify(body));
    }
    assert.deepEqual(await t.client.smtpFaults(), []);
  });
});
