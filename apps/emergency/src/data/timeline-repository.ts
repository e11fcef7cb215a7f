import type { Db } from './db.ts';

export const TIMELINE_KINDS = ['raised', 'raised_again', 'paged', 'acknowledged', 'reopened', 'resolved', 'cancelled', 'exhausted', 'step_failed', 'check_in_missed', 'location', 'delivery'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  /** Who did it; null for the escalation clock. */
  actor: string | null;
  data: Record<string, unknown>;
}

export async function appendTimeline(db: Db, emergencyId: string, entry: { kind: TimelineKind; actor: string | null; data?: Record<string, unknown>; at?: string }): Promise<void> {
  await db.$executeRaw`
    INSERT INTO timeline (emergency_id, at, kind, actor, data)
    VALUES (${emergencyId}::uuid, COALESCE(${entry.at ?? null}::timestamptz, statement_timestamp()), ${entry.kind}, ${entry.actor},
            ${JSON.stringify(entry.data ?? {})}::jsonb)`;
}

export async function readTimeline(db: Db, emergencyId: string): Promise<TimelineEntry[]> {
  const rows = await db.$queryRaw<Array<{ at: Date; kind: TimelineKind; actor: string | null; data: Record<string, unknown> }>>`
    SELECT at, kind, actor, data FROM timeline WHERE emergency_id = ${emergencyId}::uuid ORDER BY seq`;
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}
