import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

/** Emergency mail: the subject is the content's title (it already says who and what), the body its story plus facts. */
function emergencyTemplate(facts: (c: NotificationContent) => Facts, urgent: boolean): EmailTemplate {
  return {
    subject: (c) => c.title,
    text: (c) => `${c.body}\n\n${textFacts(facts(c))}${TEXT_FOOTER}`,
    html: (c) => layout(c.title, html`<p>${c.body}</p>${htmlFacts(facts(c))}`, urgent),
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
      ['Escalation tier', field(c, 'tier')],
      ['Since', field(c, 'at')],
    ],
    true,
  ),
  'emergency.acknowledged': emergencyTemplate((c) => [['Acknowledged by', field(c, 'by')]], false),
  'emergency.resolved': emergencyTemplate((c) => [['Resolved by', field(c, 'by')], ['Resolution', field(c, 'note')]], false),
  'emergency.cancelled': emergencyTemplate((c) => [['Cancelled by', field(c, 'by')], ['Reason', field(c, 'note')]], false),
};
