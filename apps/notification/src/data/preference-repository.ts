import { CATEGORIES, CHANNELS, type NotificationCategory, type NotificationChannel } from '../domain/notification.ts';
import { defaultPreferences, type Preferences } from '../domain/preferences.ts';
import type { Preference } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

function toPreferences(row: Preference): Preferences {
  const off = (list: string[], name: string) => !list.includes(name);
  return {
    userId: row.userId,
    email: row.email,
    pushTokens: row.pushTokens,
    timezone: row.timezone,
    quietHours: row.quietStart !== null && row.quietEnd !== null ? { start: row.quietStart, end: row.quietEnd } : null,
    channels: Object.fromEntries(CHANNELS.map((c) => [c, off(row.disabledChannels, c)])) as Record<NotificationChannel, boolean>,
    categories: Object.fromEntries(CATEGORIES.map((c) => [c, off(row.disabledCategories, c)])) as Record<NotificationCategory, boolean>,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The stored preferences, or the defaults for a user who never stored any. */
export async function findPreferences(db: Db, userId: string): Promise<Preferences> {
  const row = await db.preference.findUnique({ where: { userId } });
  return row ? toPreferences(row) : defaultPreferences(userId);
}

export type PreferenceValues = Omit<Preferences, 'userId' | 'updatedAt'>;

/** Replaces the user's preferences as a whole (PUT semantics). */
export async function savePreferences(db: Db, userId: string, values: PreferenceValues): Promise<Preferences> {
  const data = {
    email: values.email,
    pushTokens: values.pushTokens,
    timezone: values.timezone,
    quietStart: values.quietHours?.start ?? null,
    quietEnd: values.quietHours?.end ?? null,
    disabledChannels: CHANNELS.filter((c) => !values.channels[c]),
    disabledCategories: CATEGORIES.filter((c) => !values.categories[c]),
    updatedAt: new Date(),
  };
  const row = await db.preference.upsert({ where: { userId }, create: { userId, ...data }, update: data });
  return toPreferences(row);
}

/** The push provider reported the token as unknown: it will never work again. Atomic against a concurrent PUT's other fields. */
export async function removePushToken(db: Db, userId: string, token: string): Promise<void> {
  await db.$executeRaw`
    UPDATE preferences SET push_tokens = array_remove(push_tokens, ${token}), updated_at = clock_timestamp()
    WHERE user_id = ${userId} AND ${token} = ANY(push_tokens)`;
}
