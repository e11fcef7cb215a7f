import { admin, testAppDatabase } from '@lifeline/db/testing';

export { admin, adminUrl, dropSchema } from '@lifeline/db/testing';
import { adminUrl as adminUrlValue } from '@lifeline/db/testing';

export function adminUrlOf(): string {
  return adminUrlValue;
}

const emergencyDatabase = testAppDatabase('emergency');
export const migrationsDir = emergencyDatabase.migrationsDir;

/** The app connects as emergency_app, never as the superuser. */
export function appUrl(): string {
  return emergencyDatabase.url();
}

export function createTestSchema(label: string): Promise<string> {
  return emergencyDatabase.createSchema(label);
}

export interface OutboxEvent {
  seq: number;
  id: string;
  type: string;
  payload: { id: string; type: string; actor: { id: string; kind: string }; schemaVersion: number; data: Record<string, unknown> };
}

/** The events written so far, in write order; optionally only those of one emergency. */
export async function outboxEvents(schema: string, emergencyId?: string): Promise<OutboxEvent[]> {
  const { rows } = await admin((client) =>
    client.query<OutboxEvent>(
      `SELECT seq::int AS seq, id::text AS id, type, payload FROM "${schema}".outbox
       WHERE $1::text IS NULL OR payload->'data'->>'emergencyId' = $1 ORDER BY seq`,
      [emergencyId ?? null],
    ),
  );
  return rows;
}

/** Makes every pending step of the emergency due now, as if its wait had passed. */
export async function makeStepsDue(schema: string, emergencyId: string): Promise<void> {
  await admin((client) =>
    client.query(`UPDATE "${schema}".escalation_steps SET due_at = now() - interval '1 second' WHERE emergency_id = $1 AND status = 'pending'`, [emergencyId]),
  );
}

export async function steps(schema: string, emergencyId: string): Promise<Array<{ cycle: number; tier: number; round: number; kind: string; status: string }>> {
  const { rows } = await admin((client) =>
    client.query<{ cycle: number; tier: number; round: number; kind: string; status: string }>(
      `SELECT cycle, tier, round, kind, status FROM "${schema}".escalation_steps WHERE emergency_id = $1 ORDER BY cycle, tier, round`,
      [emergencyId],
    ),
  );
  return rows;
}

/** Everything a request could have written; a refused request must leave all of it as it was. */
export async function snapshot(schema: string): Promise<Record<string, number>> {
  return admin(async (client) => {
    const counts: Record<string, number> = {};
    for (const table of ['contacts', 'policies', 'emergencies', 'escalation_steps', 'outbox', 'idempotency_keys', 'used_ack_links', 'check_ins']) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
      counts[table] = rows[0]?.n ?? 0;
    }
    // Location entries arrive in the background after earlier raises; a refused request writes none.
    const { rows: timeline } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".timeline WHERE kind <> 'location'`);
    counts.timeline = timeline[0]?.n ?? 0;
    const { rows } = await client.query<{ v: string }>(`SELECT coalesce(string_agg(md5(p::text), ',' ORDER BY person_id), '') AS v FROM "${schema}".policies p`);
    counts[`policies:${rows[0]?.v ?? ''}`] = 1;
    return counts;
  });
}
