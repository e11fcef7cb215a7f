import type { TopicEvent } from '@lifeline/contracts';
import { localTime } from './local-time.ts';
import type { NotificationRequest } from './notification.ts';
import type { Preferences } from './preferences.ts';

/**
 * geofence-events (version 2) name the person and the caregivers the fence tells, so nothing is looked up:
 * the person reads "Left Home", each caregiver "<person> left Home". Category geofence, normal priority
 * (quiet hours and opt-outs apply; an emergency is the emergency app's to raise).
 */
export function geofenceNotification(event: TopicEvent<'geofence-events'>): NotificationRequest {
  const d = event.data;
  const entered = event.type === 'geofence.entered';
  const caregivers = [...new Set(d.caregivers)].filter((id) => id !== d.userId);
  return {
    cause: { id: event.id, type: event.type, subject: d.geofenceId },
    category: 'geofence',
    priority: 'normal',
    recipients: [d.userId, ...caregivers],
    content: (prefs: Preferences) => {
      const self = prefs.userId === d.userId;
      const at = localTime(d.position.recordedAt, prefs.timezone);
      const title = self ? (entered ? `Arrived at ${d.geofenceName}` : `Left ${d.geofenceName}`) : `${d.userId} ${entered ? 'arrived at' : 'left'} ${d.geofenceName}`;
      return {
        kind: event.type,
        title,
        body: self ? `${entered ? 'Entered' : 'Left'} ${d.geofenceName} at ${at}.` : `${d.userId} ${entered ? 'entered' : 'left'} ${d.geofenceName} at ${at}.`,
        data: {
          geofenceId: d.geofenceId,
          geofenceName: d.geofenceName,
          personId: d.userId,
          at,
          lat: String(d.position.lat),
          lon: String(d.position.lon),
        },
      };
    },
  };
}
