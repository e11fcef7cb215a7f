import { HttpProblem, badRequest, unauthorized } from '@lifeline/kit';
import type { AckLinkCheck } from '@lifeline/kit';
import type { Emergency } from '../domain/emergency.ts';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Each failure of a link has its own problem type, so a client can tell them apart. */
export function ackLinkProblem(reason: Extract<AckLinkCheck, { ok: false }>['reason']): HttpProblem {
  if (reason === 'expired') return new HttpProblem({ status: 410, type: 'ack-link-expired', title: 'Gone', detail: 'This acknowledgement link has expired.' });
  if (reason === 'other-emergency') return badRequest('This acknowledgement link belongs to another emergency.', { type: 'ack-link-mismatch' });
  return unauthorized('This acknowledgement link is not valid.', { type: 'ack-link-invalid' });
}

/** A page with one button: the POST acknowledges, so following the link alone changes nothing. */
export function respondPage(emergencyId: string, token: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Lifeline emergency</title></head>
<body style="font-family:Arial,Helvetica,sans-serif">
<h1 style="color:#b00020">Someone needs your help</h1>
<p>Press the button to tell them and everyone else who was alerted that you are responding. Their escalation stops.</p>
<form method="post" action="acknowledge"><input type="hidden" name="token" value="${escape(token)}">
<button type="submit" style="font-size:20px;padding:12px 24px">I am responding</button></form>
<p style="color:#888;font-size:12px">Emergency ${escape(emergencyId)}</p>
</body></html>`;
}

export function acknowledgedPage(e: Emergency): string {
  const text = e.status === 'acknowledged' || e.status === 'resolved' ? 'Thank you. Everyone alerted has been told that help is on the way.' : 'This emergency is over.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifeline emergency</title></head>
<body style="font-family:Arial,Helvetica,sans-serif"><h1>${escape(text)}</h1></body></html>`;
}
