import type { TopicEvent } from '@lifeline/contracts';
import { localTime } from './local-time.ts';
import type { NotificationContent, NotificationRequest } from './notification.ts';
import type { Preferences } from './preferences.ts';

type EmergencyEvent = TopicEvent<'emergency-events'>;

/** Who was alerted about an emergency so far (its escalations' contacts); read from this app's own deliveries. */
export type AlertedLookup = (emergencyId: string) => Promise<string[]>;

function content(event: EmergencyEvent, title: string, body: string, extra: Record<string, string> = {}): NotificationContent {
  return { kind: event.type, title, body, data: { emergencyId: event.data.emergencyId, personId: event.data.userId, ...extra } };
}

/**
 * emergency-events. The SOS itself (created) and every escalation are priority `emergency`: past quiet
 * hours, rate limits and opt-outs, with fallback channels. created tells the person (their SOS is out, or
 * someone raised one for them); escalated tells the tier's contacts. acknowledged, resolved and cancelled
 * are the all-clear at normal priority: the person and everyone alerted so far, except whoever did it.
 */
export async function emergencyNotification(event: EmergencyEvent, alerted: AlertedLookup): Promise<NotificationRequest | null> {
  const cause = { id: event.id, type: event.type, subject: event.data.emergencyId };
  const base = { cause, category: 'emergency' as const };
  const person = event.data.userId;
  switch (event.type) {
    case 'emergency.created': {
      const d = event.data;
      const self = d.raisedBy === person;
      return {
        ...base,
        priority: 'emergency',
        recipients: [person],
        content: (prefs: Preferences) =>
          content(event, 'Emergency alert raised', self ? 'Your SOS was sent. Your contacts are being alerted.' : `${d.raisedBy} raised an SOS for you. Your contacts are being alerted.`, {
            raisedBy: d.raisedBy,
            message: d.message ?? '',
            at: localTime(d.createdAt, prefs.timezone),
            location: d.location === null ? '' : `${d.location.lat}, ${d.location.lon}`,
          }),
      };
    }
    case 'emergency.escalated': {
      const d = event.data;
      return {
        ...base,
        priority: 'emergency',
        recipients: d.contactIds,
        content: (prefs: Preferences) =>
          content(event, `EMERGENCY: ${person} needs help`, `${person} raised an SOS and nobody has answered yet (escalation tier ${d.tier}). Please check on them now.`, {
            tier: String(d.tier),
            at: localTime(d.escalatedAt, prefs.timezone),
          }),
      };
    }
    case 'emergency.acknowledged':
    case 'emergency.resolved':
    case 'emergency.cancelled': {
      const [by, what, note] =
        event.type === 'emergency.acknowledged'
          ? [event.data.acknowledgedBy, 'acknowledged', '']
          : event.type === 'emergency.resolved'
            ? [event.data.resolvedBy, 'resolved', event.data.resolution ?? '']
            : [event.data.cancelledBy, 'cancelled', event.data.reason ?? ''];
      const recipients = [person, ...(await alerted(event.data.emergencyId))].filter((u) => u !== by);
      if (recipients.length === 0) return null;
      return {
        ...base,
        priority: 'normal',
        recipients,
        content: (prefs: Preferences) =>
          content(
            event,
            prefs.userId === person ? `Your emergency was ${what}` : `The emergency of ${person} was ${what}`,
            `${by} ${what} the emergency${note === '' ? '.' : `: ${note}`}`,
            { by, note },
          ),
      };
    }
  }
}
