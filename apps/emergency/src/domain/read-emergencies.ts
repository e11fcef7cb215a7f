import type { AuthContext } from '@lifeline/kit';
import { findEmergency, listEmergencies as readPage } from '../data/emergency-repository.ts';
import { nextDueAt } from '../data/step-repository.ts';
import { readTimeline, type TimelineEntry } from '../data/timeline-repository.ts';
import { emergencyNotFound, mayRespond } from './emergency-access.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import type { Emergency, EmergencyStatus } from './emergency.ts';
import { requireManager } from './policies.ts';

export interface EmergencyDetail {
  emergency: Emergency;
  timeline: TimelineEntry[];
  /** When the next page (or the exhaustion) is due; null once nothing is pending. */
  nextStepAt: string | null;
}

/**
 * The emergency, its timeline and next step as of one snapshot (REPEATABLE READ, read only): read one after
 * another, a change committing in between (a location attached, a page sent) showed its timeline entry
 * beside an emergency row from before it.
 */
export async function getEmergency(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, id: string): Promise<EmergencyDetail> {
  return deps.db.$transaction(
    async (tx) => {
      const emergency = await findEmergency(tx, id);
      if (emergency === undefined || !(await mayRespond(tx, caller, emergency))) throw emergencyNotFound(id);
      const timeline = await readTimeline(tx, id);
      const nextStepAt = await nextDueAt(tx, id);
      return { emergency, timeline, nextStepAt };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}

export interface EmergencyPosition {
  createdAt: string;
  id: string;
}

export interface EmergencyListRequest {
  personId?: string | undefined;
  statuses?: EmergencyStatus[] | undefined;
  limit: number;
  after?: EmergencyPosition | undefined;
}

export async function listEmergencies(
  deps: Pick<EmergencyDeps, 'db'>,
  caller: AuthContext,
  request: EmergencyListRequest,
): Promise<{ emergencies: Emergency[]; next?: EmergencyPosition }> {
  const personId = request.personId ?? caller.userId;
  requireManager(caller, personId, 'emergency lists');
  const page = await readPage(deps.db, { personId, statuses: request.statuses }, request.limit, request.after);
  const last = page.emergencies.at(-1);
  return { emergencies: page.emergencies, ...(page.more && last !== undefined ? { next: { createdAt: last.createdAt, id: last.id } } : {}) };
}
