import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { emergencyTemplates } from './emergency.ts';
import { geofenceTemplates } from './geofence.ts';
import { reminderTemplates } from './reminder.ts';
import { taskTemplates } from './task.ts';
import { layout, TEXT_FOOTER, type EmailTemplate } from './template.ts';

const templates: Record<string, EmailTemplate> = { ...reminderTemplates, ...taskTemplates, ...emergencyTemplates, ...geofenceTemplates };

/** For a kind without its own templates (a producer added a type): the content's title and body still go out. */
const generic: EmailTemplate = {
  subject: (c) => c.title,
  text: (c) => `${c.body}${TEXT_FOOTER}`,
  html: (c) => layout(c.title, html`<p>${c.body}</p>`),
};

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function hasTemplate(kind: string): boolean {
  return Object.hasOwn(templates, kind);
}

export function renderEmail(content: NotificationContent): RenderedEmail {
  const template = Object.hasOwn(templates, content.kind) ? (templates[content.kind] ?? generic) : generic;
  // A line break in a value must not become one in the header.
  const subject = template.subject(content).replace(/\s+/g, ' ').trim().slice(0, 250);
  return { subject, text: template.text(content), html: template.html(content).value };
}
