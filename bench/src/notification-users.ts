import type { Preferences } from '../../apps/notification/src/domain/preferences.ts';

/** A benchmark recipient; the id starts with the run's prefix, so the run's rows can be found and removed. */
export interface BenchUser {
  id: string;
  email: string;
}

/**
 * Enough users that none of them gets more than `perUser` of `mails`: each gets at most the rate limit for the
 * whole phase, so no delivery is suppressed as rate-limited whatever the window, and the app runs with its
 * production limits rather than a bench-only setting.
 */
export function benchUsers(prefix: string, phase: string, mails: number, perUser: number): BenchUser[] {
  return Array.from({ length: Math.ceil(mails / perUser) }, (_, i) => {
    const id = `${prefix}-${phase}-${i}`;
    return { id, email: `${id}@bench.lifeline.test` };
  });
}

/** Mail `i` of a phase goes to this user: round robin, so every user gets at most ceil(mails / users). */
export function recipientOf(users: readonly BenchUser[], i: number): BenchUser {
  const user = users[i % users.length];
  if (!user) throw new Error('no bench users');
  return user;
}

/**
 * The PUT /notification/preferences body of a bench user: only the email channel on, so every reminder is one
 * mail and WebSocket and push cost only their suppressed rows, not a send.
 */
export function emailOnlyPreferences(user: BenchUser): Omit<Preferences, 'userId' | 'updatedAt'> {
  return {
    email: user.email,
    pushTokens: [],
    timezone: 'UTC',
    quietHours: null,
    channels: { email: true, websocket: false, push: false },
    categories: { reminders: true, tasks: true, emergency: true, geofence: true },
  };
}

/** Stores every user's preferences through the app's own API (validated like any client's), a few at a time. */
export async function storePreferences(preferencesUrl: (userId: string) => string, adminToken: string, users: readonly BenchUser[]): Promise<void> {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  let next = 0;
  const worker = async () => {
    for (let user = users[next++]; user; user = users[next++]) {
      const res = await fetch(preferencesUrl(user.id), { method: 'PUT', headers, body: JSON.stringify(emailOnlyPreferences(user)) });
      if (!res.ok) throw new Error(`PUT preferences of ${user.id}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
