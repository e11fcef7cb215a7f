import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

const facts = (c: NotificationContent): Facts => [
  ['Task', field(c, 'taskTitle')],
  ['Due', field(c, 'due')],
  ['Priority', field(c, 'priority')],
  ['Notes', field(c, 'notes')],
];

/** Each task kind differs in its subject and its one-line story; the facts below are the same. */
function taskTemplate(subject: string, story: (c: NotificationContent) => string, extra: (c: NotificationContent) => Facts = () => []): EmailTemplate {
  return {
    subject: (c) => `${subject}: ${field(c, 'taskTitle')}`,
    text: (c) => `${story(c)}\n\n${textFacts([...facts(c), ...extra(c)])}${TEXT_FOOTER}`,
    html: (c) => layout(`${subject}: ${field(c, 'taskTitle')}`, html`<p>${story(c)}</p>${htmlFacts([...facts(c), ...extra(c)])}`),
  };
}

export const taskTemplates: Record<string, EmailTemplate> = {
  'task.created': taskTemplate('New task', (c) => `${field(c, 'actorId')} added a task for you.`),
  'task.updated': taskTemplate('Task changed', (c) => `${field(c, 'actorId')} changed one of your tasks.`, (c) => [['Changed', field(c, 'changedFields')]]),
  'task.completed': taskTemplate('Task done', (c) => `${field(c, 'actorId')} marked one of your tasks as done.`),
  'task.deleted': taskTemplate('Task removed', (c) => `${field(c, 'actorId')} removed one of your tasks.`),
};
