import type { Delivery } from './delivery.ts';
import { defaultPreferences, type Preferences } from './preferences.ts';

/** Someone without a Lifeline account whom an emergency pages: reached by mail only, at the address the event carries. */
export interface OutsideContact {
  contactId: string;
  name: string;
  email: string;
}

const PREFIX = 'contact:';

/**
 * The id an outside contact's deliveries are recorded under (deliveries are per user). Lifeline user ids
 * come from the identity provider; the prefix and the UUID after it keep the two apart.
 */
export function contactUserId(contactId: string): string {
  return `${PREFIX}${contactId}`;
}

export function isContactUserId(userId: string): boolean {
  return userId.startsWith(PREFIX);
}

/** The address travels with each delivery's content, so a retry reaches the same mailbox without the event. */
export const CONTACT_EMAIL_FIELD = 'contactEmail';

/** What an outside contact "prefers": mail to their address, nothing else, times in UTC. */
export function contactPreferences(contact: OutsideContact): Preferences {
  return {
    ...defaultPreferences(contactUserId(contact.contactId)),
    email: contact.email,
    channels: { email: true, websocket: false, push: false },
  };
}

/** The preferences a stored contact delivery is sent with; undefined for a Lifeline user's delivery. */
export function contactPreferencesOf(d: Delivery): Preferences | undefined {
  if (!isContactUserId(d.userId)) return undefined;
  const email = d.content.data[CONTACT_EMAIL_FIELD];
  return { ...defaultPreferences(d.userId), email: email === undefined || email === '' ? null : email, channels: { email: true, websocket: false, push: false } };
}
