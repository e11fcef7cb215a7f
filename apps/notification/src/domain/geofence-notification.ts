import type { TopicEvent } from '@lifeline/contracts';
import { localTime } from './local-time.ts';
import type { NotificationRequest } from './notification.ts';

/**
 * geofence-events name only the person who crossed the fence, so they are the one told (category geofence).
 * Telling their caregivers needs the producer to name them; see README.
 */
export function geofenceNotification(event: TopicEvent<'geofence-events'>): NotificationRequest {
  const d = event.data;
  const entered = event.type === 'geofence.entered';
  return {
    cause: { id: event.id, type: event.type, subject: d.geofenceId },
    category: 'geofence',
    priority: 'normal',
    recipients: [d.userId],
    content: (prefs) => ({
      kind: event.type,
      title: entered ? `Arrived at ${d.geofenceName}` : `Left ${d.geofenceName}`,
      body: `${entered ? 'Entered' : 'Left'} ${d.geofenceName} at ${localTime(d.position.recordedAt, prefs.timezone)}.`,
      data: {
        geofenceId: d.geofenceId,
        geofenceName: d.geofenceName,
        personId: d.userId,
        at: localTime(d.position.recordedAt, prefs.timezone),
        lat: String(d.position.lat),
        lon: String(d.position.lon),
      },
    }),
  };
}
