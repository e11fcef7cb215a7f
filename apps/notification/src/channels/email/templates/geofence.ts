import type { NotificationContent } from '../../../domain/notification.ts';
import { html } from '../html.ts';
import { field, htmlFacts, layout, TEXT_FOOTER, textFacts, type EmailTemplate, type Facts } from './template.ts';

const facts = (c: NotificationContent): Facts => [
  ['Place', field(c, 'geofenceName')],
  ['When', field(c, 'at')],
  ['Position', field(c, 'lat') === '' ? '' : `${field(c, 'lat')}, ${field(c, 'lon')}`],
];

function geofenceTemplate(verb: string): EmailTemplate {
  return {
    subject: (c) => `${verb} ${field(c, 'geofenceName')}`,
    text: (c) => `${c.body}\n\n${textFacts(facts(c))}${TEXT_FOOTER}`,
    html: (c) => layout(`${verb} ${field(c, 'geofenceName')}`, html`<p>${c.body}</p>${htmlFacts(facts(c))}`),
  };
}

export const geofenceTemplates: Record<string, EmailTemplate> = {
  'geofence.entered': geofenceTemplate('Arrived at'),
  'geofence.exited': geofenceTemplate('Left'),
};
