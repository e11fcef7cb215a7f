import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySmtpError } from '../src/channels/email/email-channel.ts';
import { escapeHtml, html } from '../src/channels/email/html.ts';
import { hasTemplate, renderEmail } from '../src/channels/email/templates/index.ts';

const KINDS = [
  'reminder.due',
  'task.created',
  'task.updated',
  'task.completed',
  'task.deleted',
  'emergency.created',
  'emergency.acknowledged',
  'emergency.escalated',
  'emergency.resolved',
  'emergency.cancelled',
  'emergency.exhausted',
  'geofence.entered',
  'geofence.exited',
];

describe('email templates', () => {
  it('when any notification kind is rendered, then it has its own subject, text and HTML', () => {
    for (const kind of KINDS) assert.ok(hasTemplate(kind), kind);
  });

  it('when values carry markup, then every kind escapes them in HTML and keeps them in text', () => {
    const evil = '<img src=x onerror="alert(1)">&';
    const data = Object.fromEntries(['taskTitle', 'due', 'priority', 'notes', 'actorId', 'changedFields', 'raisedBy', 'at', 'message', 'location', 'personId', 'tier', 'by', 'note', 'geofenceName', 'lat', 'lon'].map((k) => [k, evil]));
    for (const kind of KINDS) {
      const mail = renderEmail({ kind, title: evil, body: evil, data });
      assert.ok(!mail.html.includes('<img'), `${kind} leaks markup`);
      assert.ok(mail.html.includes(escapeHtml(evil)), `${kind} lost the value`);
      assert.ok(mail.text.includes(evil), `${kind} text lost the value`);
    }
  });

  it('when a value holds line breaks, then the subject stays on one line', () => {
    const mail = renderEmail({ kind: 'reminder.due', title: 't', body: '', data: { taskTitle: 'a\r\nBcc: victim@example.test' } });
    assert.equal(mail.subject, 'Reminder: a Bcc: victim@example.test');
  });

  it('when a kind has no template, then the title and body still go out', () => {
    const mail = renderEmail({ kind: 'future.thing', title: 'Title <b>', body: 'Body', data: {} });
    assert.equal(mail.subject, 'Title <b>');
    assert.match(mail.html, /Title &lt;b&gt;/);
  });

  it('when html nests fragments, then they are not escaped twice', () => {
    assert.equal(html`<p>${html`<b>${'<x>'}</b>`}</p>`.value, '<p><b>&lt;x&gt;</b></p>');
  });
});

describe('SMTP errors', () => {
  it('when the server answers 4xx or the connection breaks, then it is transient; 5xx is final', () => {
    assert.equal(classifySmtpError({ responseCode: 451, response: '451 4.3.0 later' }).transient, true);
    assert.equal(classifySmtpError({ responseCode: 550, response: '550 5.1.1 unknown' }).transient, false);
    assert.equal(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }).transient, true);
    assert.equal(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).transient, false);
  });
});
