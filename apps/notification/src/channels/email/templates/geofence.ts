import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

const facts = (c: NotificationContent): Facts => [
  ['Place', field(c, 'geofenceName')],
  ['Who', field(c, 'personId')],
  ['When', field(c, 'at')],
  ['Position', field(c, 'lat') === '' ? '' : `${field(c, 'lat')}, ${field(c, 'lon')}`],
];

/** The subject is the content's title: "Left Home" for the person, "<person> left Home" for a caregiver. */
const geofenceTemplate: EmailTemplate = {
  subject: (c) => c.title,
  text: (c) => `${c.body}\n\n${textFacts(facts(c))}${TEXT_FOOTER}`,
  html: (c) => layout(c.title, html`<p>${c.body}</p>${htmlFacts(facts(c))}`),
};

export const geofenceTemplates: Record<string, EmailTemplate> = {
  'geofence.entered': geofenceTemplate,
  'geofence.exited': geofenceTemplate,
};
