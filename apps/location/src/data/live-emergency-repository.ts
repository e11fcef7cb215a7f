import type { Sql } from './db.ts';

/*
 * Open emergencies per person and who may see the person while one is open (schema: the live_emergencies
 * migration). A row outlives its emergency, closed: events of a closed emergency that arrive late find it
 * closed and change nothing. Every read joins on `closed_at IS NULL`, so a viewer row left beside a closed
 * emergency (a close racing an escalation) never shows anyone anything.
 */

/** Records the emergency as open unless it is known already (open, or closed: closing is final). */
export async function openEmergency(tx: Sql, emergencyId: string, personId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO live_emergencies (emergency_id, person_id) VALUES (${emergencyId}::uuid, ${personId})
    ON CONFLICT (emergency_id) DO NOTHING`;
}

/** Adds viewers to an emergency that is still open; a closed one takes none. */
export async function addViewers(tx: Sql, emergencyId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO live_emergency_viewers (emergency_id, user_id)
    SELECT ${emergencyId}::uuid, u FROM unnest(${[...userIds]}::varchar[]) AS u
    WHERE EXISTS (SELECT 1 FROM live_emergencies WHERE emergency_id = ${emergencyId}::uuid AND closed_at IS NULL)
    ON CONFLICT DO NOTHING`;
}

/**
 * Closes the emergency for good, also when nothing was known of it yet (a resolve that overtook its raise):
 * the closed row is what keeps a later escalated event from opening it. Its viewers go at once.
 */
export async function closeEmergency(tx: Sql, emergencyId: string, personId: string, closedAt: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO live_emergencies (emergency_id, person_id, closed_at) VALUES (${emergencyId}::uuid, ${personId}, ${closedAt}::timestamptz)
    ON CONFLICT (emergency_id) DO UPDATE SET closed_at = COALESCE(live_emergencies.closed_at, EXCLUDED.closed_at)`;
  await tx.$executeRaw`DELETE FROM live_emergency_viewers WHERE emergency_id = ${emergencyId}::uuid`;
}

/** The people the user may see because they are a viewer of one of their open emergencies. */
export async function peopleInOpenEmergenciesOf(sql: Sql, userId: string): Promise<string[]> {
  const rows = await sql.$queryRaw<Array<{ person_id: string }>>`
    SELECT DISTINCT e.person_id
    FROM live_emergency_viewers v JOIN live_emergencies e USING (emergency_id)
    WHERE v.user_id = ${userId} AND e.closed_at IS NULL`;
  return rows.map((r) => r.person_id);
}

/** Whether the user is a viewer of an open emergency of the person (what lets a paged contact read their position). */
export async function viewsOpenEmergencyOf(sql: Sql, userId: string, personId: string): Promise<boolean> {
  const rows = await sql.$queryRaw<Array<{ yes: boolean }>>`
    SELECT true AS yes
    FROM live_emergency_viewers v JOIN live_emergencies e USING (emergency_id)
    WHERE v.user_id = ${userId} AND e.person_id = ${personId} AND e.closed_at IS NULL
    LIMIT 1`;
  return rows.length > 0;
}

export interface LivePublication {
  emergencyId: string;
  viewers: string[];
}

/** The most viewers one live position names (the contract's bound). */
export const MAX_VIEWERS = 200;

/**
 * Forgets emergencies closed more than `days` ago and the inbox marks of that age: by then no broker
 * redelivers their events, so nothing could reopen them. Bounded per call; the next tick takes the rest.
 */
export async function pruneClosedEmergencies(sql: Sql, days: number, limit = 1000): Promise<number> {
  const closed = await sql.$executeRaw`
    DELETE FROM live_emergencies WHERE emergency_id IN (
      SELECT emergency_id FROM live_emergencies WHERE closed_at < now() - make_interval(days => ${days}::int) LIMIT ${limit})`;
  await sql.$executeRaw`
    DELETE FROM processed_events WHERE ctid IN (
      SELECT ctid FROM processed_events WHERE processed_at < now() - make_interval(days => ${days}::int) LIMIT ${limit})`;
  return closed;
}
