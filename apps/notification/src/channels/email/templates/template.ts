import type { NotificationContent } from '../../../domain/notification.ts';
import { html, type SafeHtml } from '../html.ts';

/** One notification kind's email: a subject, a plain-text part and an HTML part, from the same values. */
export interface EmailTemplate {
  subject(c: NotificationContent): string;
  text(c: NotificationContent): string;
  html(c: NotificationContent): SafeHtml;
}

/** A template value; missing ones render empty rather than "undefined". */
export function field(c: NotificationContent, name: string): string {
  return c.data[name] ?? '';
}

/** Label/value rows shared by both parts; empty values are left out. */
export type Facts = Array<[label: string, value: string]>;

export function textFacts(facts: Facts): string {
  return facts
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

export function htmlFacts(facts: Facts): SafeHtml {
  const rows = facts.filter(([, v]) => v !== '').map(([k, v]) => html`<tr><th align="left" style="padding:2px 12px 2px 0">${k}</th><td>${v}</td></tr>`);
  return rows.length === 0 ? html`` : html`<table role="presentation" style="border-collapse:collapse">${rows}</table>`;
}

/** The frame around every HTML part; `urgent` colours the heading for emergencies. */
export function layout(heading: string, body: SafeHtml, urgent = false): SafeHtml {
  const colour = urgent ? '#b00020' : '#1f3a5f';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${heading}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222">
<h1 style="font-size:20px;color:${colour}">${heading}</h1>
${body}
<p style="color:#888;font-size:12px">Sent by Lifeline. Change what you receive in your notification settings.</p>
</body></html>`;
}

export const TEXT_FOOTER = '\n\n--\nSent by Lifeline. Change what you receive in your notification settings.\n';
