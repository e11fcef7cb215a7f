import type pg from 'pg';
import type { CaptureClient } from '@lifeline/capture/client';

/** What one run's tasks caused, read from the systems of record themselves (not from the apps' answers). */
export interface Effects {
  /** Task ids committed in tasks.tasks for the run's owners (a 201 lost to a kill still counts). */
  committed: Map<string, string>;
  /** Task id -> task.created rows in audit.audit_events, with when the first and the last were recorded. */
  audit: Map<string, { rows: number; firstAt: number; lastAt: number }>;
  /** Owner -> reminder mails the SMTP capture received for that owner's address. */
  mails: Map<string, number>;
  /** Owner -> email delivery rows in notification.deliveries (any status) and how many of them say sent. */
  deliveries: Map<string, { rows: number; sent: number }>;
}

export const mailOf = (owner: string): string => `${owner}@example.test`;

/** Every run's owners are `<prefix><n>`, so LIKE '<prefix>%' finds exactly the run's rows. */
export async function readEffects(db: pg.Client, capture: CaptureClient, prefix: string, since: Date): Promise<Effects> {
  const like = `${prefix}%`;
  const tasks = await db.query<{ id: string; owner_id: string }>('SELECT id, owner_id FROM tasks.tasks WHERE owner_id LIKE $1', [like]);
  const audit = await db.query<{ entity_id: string; n: string; first_at: Date; last_at: Date }>(
    `SELECT entity_id, count(*) AS n, min(recorded_at) AS first_at, max(recorded_at) AS last_at
       FROM audit.audit_events
      WHERE event_type = 'task.created' AND actor_id LIKE $1 AND occurred_at >= $2
      GROUP BY entity_id`,
    [like, since],
  );
  const deliveries = await db.query<{ user_id: string; n: string; sent: string }>(
    `SELECT user_id, count(*) AS n, count(*) FILTER (WHERE status = 'sent') AS sent
       FROM notification.deliveries WHERE user_id LIKE $1 AND channel = 'email' GROUP BY user_id`,
    [like],
  );
  const mails = new Map<string, number>();
  for (const m of await capture.messages({ since })) {
    for (const to of m.to) {
      const at = to.toLowerCase();
      if (at.startsWith(prefix.toLowerCase()) && at.endsWith('@example.test')) {
        const owner = at.slice(0, -'@example.test'.length);
        mails.set(owner, (mails.get(owner) ?? 0) + 1);
      }
    }
  }
  return {
    committed: new Map(tasks.rows.map((r) => [r.id, r.owner_id])),
    audit: new Map(audit.rows.map((r) => [r.entity_id, { rows: Number(r.n), firstAt: r.first_at.getTime(), lastAt: r.last_at.getTime() }])),
    mails,
    deliveries: new Map(deliveries.rows.map((r) => [r.user_id, { rows: Number(r.n), sent: Number(r.sent) }])),
  };
}

export interface Tally {
  lost: number;
  duplicated: number;
  /** Effects of no committed task (should be impossible). */
  phantom: number;
}

/** Lost: a committed task with no effect; duplicated: effects beyond the first; phantom: an effect of nothing committed. */
export function tally(expected: Iterable<string>, seen: Map<string, number>): Tally {
  const want = new Set(expected);
  let lost = 0;
  let duplicated = 0;
  for (const key of want) {
    const n = seen.get(key) ?? 0;
    if (n === 0) lost++;
    else duplicated += n - 1;
  }
  const phantom = [...seen.keys()].filter((k) => !want.has(k)).length;
  return { lost, duplicated, phantom };
}

/** True once every committed task has its audit row, its sent delivery and its mail. */
export function complete(e: Effects): boolean {
  for (const [id, owner] of e.committed) {
    if (!e.audit.has(id) || !e.mails.get(owner) || !e.deliveries.get(owner)?.sent) return false;
  }
  return true;
}
