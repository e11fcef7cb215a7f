import type { EmergencyRecipient, TopicEvent } from '@lifeline/contracts';
import { contactUserId, type OutsideContact } from './outside-contact.ts';
import { localTime } from './local-time.ts';
import type { NotificationContent, NotificationRequest } from './notification.ts';
import type { Preferences } from './preferences.ts';

type EmergencyEvent = TopicEvent<'emergency-events'>;
type EscalatedEvent = Extract<EmergencyEvent, { type: 'emergency.escalated' }>;

/** Builds the signed link that acknowledges an emergency as one outside contact. */
export type AcknowledgeUrl = (emergencyId: string, contactId: string) => string;

/**
 * Per outside contact (by their delivery user id): the link their page carries. Version 3 pages name the
 * contact only and the link is signed here, when the mail is made; version 2 pages (from an emergency app of
 * before, during a rollout) carry a link it signed, which still verifies and is used as it is.
 */
function acknowledgeLinks(event: EscalatedEvent, sign: AcknowledgeUrl): (deliveryUserId: string) => string {
  const links = new Map<string, () => string>();
  for (const r of event.data.recipients) {
    if (r.kind !== 'contact') continue;
    const carried = 'acknowledgeUrl' in r ? r.acknowledgeUrl : undefined;
    links.set(contactUserId(r.contactId), carried === undefined ? () => sign(event.data.emergencyId, r.contactId) : () => carried);
  }
  return (deliveryUserId) => links.get(deliveryUserId)?.() ?? '';
}

function content(event: EmergencyEvent, title: string, body: string, extra: Record<string, string> = {}): NotificationContent {
  return { kind: event.type, title, body, data: { emergencyId: event.data.emergencyId, personId: event.data.userId, ...extra } };
}

/** Lifeline users get their own channels; outside contacts get mail at the address the event carries. */
function split(recipients: readonly EmergencyRecipient[], except: string | null): { users: string[]; contacts: OutsideContact[] } {
  const users = recipients.flatMap((r) => (r.kind === 'user' && r.userId !== except ? [r.userId] : []));
  const contacts = recipients.flatMap((r) => (r.kind === 'contact' && contactUserId(r.contactId) !== except ? [{ contactId: r.contactId, name: r.name, email: r.email }] : []));
  return { users, contacts };
}

/**
 * emergency-events (version 2: recipients are users or outside contacts, and every event names who it
 * concerns, so nothing is looked up). The SOS itself (created), every page (escalated) and the exhaustion
 * are priority `emergency`: past quiet hours, rate limits and opt-outs, on every channel, with fallbacks.
 * created tells the person; escalated tells the tier, outside contacts with their acknowledgement link;
 * exhausted tells the person and everyone on every tier. acknowledged ("<who> is responding"), resolved
 * and cancelled (the all-clear) go at normal priority to the person and everyone paged so far, except
 * whoever did it.
 */
export function emergencyNotification(event: EmergencyEvent, acknowledgeUrl: AcknowledgeUrl): NotificationRequest | null {
  // The missed check-in is told through the emergency it raised (created, escalated): nothing of its own.
  if (event.type === 'emergency.check_in_missed') return null;
  const cause = { id: event.id, type: event.type, subject: event.data.emergencyId };
  const base = { cause, category: 'emergency' as const };
  const person = event.data.userId;
  switch (event.type) {
    case 'emergency.created': {
      const d = event.data;
      const self = d.raisedBy === person;
      const story =
        d.kind === 'missed_check_in'
          ? 'You did not check in in time. Your contacts are being alerted; check in with them if you are fine.'
          : self
            ? 'Your SOS was sent. Your contacts are being alerted.'
            : `${d.raisedBy} raised an SOS for you. Your contacts are being alerted.`;
      return {
        ...base,
        priority: 'emergency',
        recipients: [person],
        content: (prefs: Preferences) =>
          content(event, 'Emergency alert raised', story, {
            raisedBy: d.raisedBy,
            message: d.message ?? '',
            at: localTime(d.createdAt, prefs.timezone),
            location: d.location === null ? '' : `${d.location.lat}, ${d.location.lon}`,
          }),
      };
    }
    case 'emergency.escalated': {
      const d = event.data;
      const linkFor = acknowledgeLinks(event, acknowledgeUrl);
      const { users, contacts } = split(d.recipients, null);
      const repeat = d.round > 1 ? ` (reminder ${d.round - 1})` : '';
      // A nearest-first tier's round 0 pages its nearest contact alone: they are told why it is them.
      const nearest = d.round === 0 ? ' You are the nearest of their contacts.' : '';
      return {
        ...base,
        priority: 'emergency',
        recipients: users,
        contacts,
        content: (prefs: Preferences) =>
          content(event, `EMERGENCY: ${person} needs help`, `${person} raised an SOS and nobody has answered yet (escalation tier ${d.tier}${repeat}).${nearest} Please check on them now.`, {
            tier: String(d.tier),
            round: String(d.round),
            message: d.message ?? '',
            at: localTime(d.escalatedAt, prefs.timezone),
            acknowledgeUrl: linkFor(prefs.userId),
          }),
      };
    }
    case 'emergency.exhausted': {
      const d = event.data;
      const { users, contacts } = split(d.recipients, null);
      return {
        ...base,
        priority: 'emergency',
        recipients: [person, ...users],
        contacts,
        content: (prefs: Preferences) =>
          content(
            event,
            prefs.userId === person ? 'Nobody has answered your emergency yet' : `EMERGENCY: still nobody has answered ${person}`,
            `Every contact of ${person} was alerted and nobody has acknowledged yet. The emergency stays open: please check on them now.`,
            { at: localTime(d.exhaustedAt, prefs.timezone) },
          ),
      };
    }
    case 'emergency.acknowledged': {
      const d = event.data;
      const { users, contacts } = split(d.notified, d.acknowledgedBy);
      const recipients = [person, ...users].filter((u) => u !== d.acknowledgedBy);
      if (recipients.length + contacts.length === 0) return null;
      return {
        ...base,
        priority: 'normal',
        recipients,
        contacts,
        content: (prefs: Preferences) =>
          content(event, `${d.responderName} is responding`, `${d.responderName} acknowledged the emergency of ${person} and is responding. You no longer need to act.`, {
            by: d.responderName,
            at: localTime(d.acknowledgedAt, prefs.timezone),
          }),
      };
    }
    case 'emergency.resolved':
    case 'emergency.cancelled': {
      const [by, what, note] =
        event.type === 'emergency.resolved' ? [event.data.resolvedBy, 'resolved', event.data.resolution ?? ''] : [event.data.cancelledBy, 'cancelled', event.data.reason ?? ''];
      const { users, contacts } = split(event.data.notified, by);
      const recipients = [person, ...users].filter((u) => u !== by);
      if (recipients.length + contacts.length === 0) return null;
      return {
        ...base,
        priority: 'normal',
        recipients,
        contacts,
        content: (prefs: Preferences) =>
          content(
            event,
            prefs.userId === person ? `Your emergency was ${what}` : `All clear: the emergency of ${person} was ${what}`,
            `${by} ${what} the emergency${note === '' ? '.' : `: ${note}`}`,
            { by, note },
          ),
      };
    }
  }
}
