import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

/**
 * An outside contact's page carries the link that acknowledges for them: in the text part as a line of its
 * own, in the HTML part as a button. Lifeline users acknowledge in the app, so theirs has none.
 */
function acknowledgeText(c: NotificationContent): string {
  const url = field(c, 'acknowledgeUrl');
  return url === '' ? '' : `\n\nI am responding: ${url}`;
}

function acknowledgeHtml(c: NotificationContent) {
  const url = field(c, 'acknowledgeUrl');
  return url === ''
    ? html``
    : html`<p><a href="${url}" style="display:inline-block;padding:10px 18px;background:#b00020;color:#fff;text-decoration:none;border-radius:4px">I am responding</a></p>`;
}

/** Emergency mail: the subject is the content's title (it already says who and what), the body its story plus facts. */
function emergencyTemplate(facts: (c: NotificationContent) => Facts, urgent: boolean): EmailTemplate {
  return {
    subject: (c) => c.title,
    text: (c) => `${c.body}\n\n${textFacts(facts(c))}${acknowledgeText(c)}${TEXT_FOOTER}`,
    html: (c) => layout(c.title, html`<p>${c.body}</p>${htmlFacts(facts(c))}${acknowledgeHtml(c)}`, urgent),
  };
}

export const emergencyTemplates: Record<string, EmailTemplate> = {
  'emergency.created': emergencyTemplate(
    (c) => [
      ['Raised by', field(c, 'raisedBy')],
      ['When', field(c, 'at')],
      ['Message', field(c, 'message')],
      ['Location', field(c, 'location')],
    ],
    true,
  ),
  'emergency.escalated': emergencyTemplate(
    (c) => [
      ['Person', field(c, 'personId')],
      ['Message', field(c, 'message')],
      ['Escalation tier', field(c, 'tier')],
      ['Since', field(c, 'at')],
    ],
    true,
  ),
  'emergency.exhausted': emergencyTemplate(
    (c) => [
      ['Person', field(c, 'personId')],
      ['Since', field(c, 'at')],
    ],
    true,
  ),
  'emergency.acknowledged': emergencyTemplate((c) => [['Responding', field(c, 'by')], ['When', field(c, 'at')]], false),
  'emergency.resolved': emergencyTemplate((c) => [['Resolved by', field(c, 'by')], ['Resolution', field(c, 'note')]], false),
  'emergency.cancelled': emergencyTemplate((c) => [['Cancelled by', field(c, 'by')], ['Reason', field(c, 'note')]], false),
};
