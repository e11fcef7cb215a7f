import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

const facts = (c: Parameters<EmailTemplate['text']>[0]): Facts => [
  ['Task', field(c, 'taskTitle')],
  ['Due', field(c, 'due')],
  ['Priority', field(c, 'priority')],
];

export const reminderTemplates: Record<string, EmailTemplate> = {
  'reminder.due': {
    subject: (c) => `Reminder: ${field(c, 'taskTitle')}`,
    text: (c) => `It is time for "${field(c, 'taskTitle')}".\n\n${textFacts(facts(c))}${TEXT_FOOTER}`,
    html: (c) => layout(`Reminder: ${field(c, 'taskTitle')}`, html`<p>It is time for <strong>${field(c, 'taskTitle')}</strong>.</p>${htmlFacts(facts(c))}`),
  },
};
