import type { InboxKey } from '@lifeline/db';
import type { Db } from './db.ts';

/**
 * One delivery outcome of a page onto its emergency's timeline, in ONE statement (no transaction held
 * across round trips): find the step whose page the outcome is about by its event id, mark the outcome
 * event processed (the inbox, as runOnce does) and append the timeline entry only when the mark is new.
 * An outcome of no step here marks nothing. Returns whether an entry was added.
 */
export async function recordDeliveryOutcome(db: Db, inbox: InboxKey, causeEventId: string, outcome: Record<string, unknown>): Promise<boolean> {
  const added = await db.$executeRaw`
    WITH step AS (
      SELECT emergency_id, cycle, tier, round, kind FROM escalation_steps WHERE event_id = ${causeEventId}::uuid
    ), marked AS (
      INSERT INTO processed_events (consumer, event_id)
      SELECT ${inbox.consumer}, ${inbox.eventId} FROM step
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    INSERT INTO timeline (emergency_id, at, kind, actor, data)
    SELECT step.emergency_id, statement_timestamp(), 'delivery', NULL,
           ${JSON.stringify(outcome)}::jsonb || jsonb_build_object(
             'page', CASE WHEN step.kind = 'exhaust' THEN 'exhausted' ELSE 'escalated' END,
             'cycle', step.cycle, 'tier', step.tier, 'round', step.round)
    FROM step, marked`;
  return added > 0;
}
