import type { NotificationCategory, NotificationChannel } from './notification.ts';

export interface QuietHours {
  /** Local wall-clock "HH:MM" in the preferences' timezone; end < start means the window crosses midnight. */
  start: string;
  end: string;
}

export interface Preferences {
  userId: string;
  email: string | null;
  pushTokens: string[];
  /** IANA zone the quiet hours (and times in messages) are read in. */
  timezone: string;
  quietHours: QuietHours | null;
  channels: Record<NotificationChannel, boolean>;
  categories: Record<NotificationCategory, boolean>;
  /** null until the user stores preferences: these are then the defaults. */
  updatedAt: string | null;
}

/** What a user who never stored preferences gets: everything on, no quiet hours, nowhere to mail or push yet. */
export function defaultPreferences(userId: string): Preferences {
  return {
    userId,
    email: null,
    pushTokens: [],
    timezone: 'UTC',
    quietHours: null,
    channels: { email: true, websocket: true, push: true },
    categories: { reminders: true, tasks: true, emergency: true, geofence: true },
    updatedAt: null,
  };
}

/** Whether the channel has somewhere to deliver to; WebSocket needs nothing stored (the user's open sockets). */
export function hasDestination(prefs: Preferences, channel: NotificationChannel): boolean {
  switch (channel) {
    case 'email':
      return prefs.email !== null;
    case 'push':
      return prefs.pushTokens.length > 0;
    case 'websocket':
      return true;
  }
}
