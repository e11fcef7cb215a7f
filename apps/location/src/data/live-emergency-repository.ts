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

export interface LivePublication {
  emergencyId: string;
  viewers: string[];
}

/** The most viewers one live position names (the contract's bound). */
export const MAX_VIEWERS = 200;

/**
 * Claims the right to publish the fix recorded at `recordedAt` for each open emergency of the person that
 * has viewers: only when it is newer than the last fix published for it and at least `minIntervalMs` (database
 * clock, one for every replica) after that one went out. The claim is the row update, so two replicas cannot
 * both publish one emergency's slot; it commits with the outbox row, or neither does.
 */
export async function claimLivePublications(tx: Sql, personId: string, recordedAt: string, minIntervalMs: number): Promise<LivePublication[]> {
  const rows = await tx.$queryRaw<Array<{ emergency_id: string; viewers: string[] }>>`
    UPDATE live_emergencies e
    SET last_published_at = clock_timestamp(), last_published_recorded_at = ${recordedAt}::timestamptz
    WHERE e.person_id = ${personId} AND e.closed_at IS NULL
      AND (e.last_published_recorded_at IS NULL OR e.last_published_recorded_at < ${recordedAt}::timestamptz)
      AND (e.last_published_at IS NULL OR e.last_published_at <= clock_timestamp() - make_interval(secs => ${minIntervalMs / 1000}::float8))
      AND EXISTS (SELECT 1 FROM live_emergency_viewers v WHERE v.emergency_id = e.emergency_id)
    RETURNING e.emergency_id::text AS emergency_id,
      ARRAY(SELECT v.user_id FROM live_emergency_viewers v WHERE v.emergency_id = e.emergency_id ORDER BY v.added_at, v.user_id LIMIT ${MAX_VIEWERS}) AS viewers`;
  return rows.map((r) => ({ emergencyId: r.emergency_id, viewers: r.viewers }));
}

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
