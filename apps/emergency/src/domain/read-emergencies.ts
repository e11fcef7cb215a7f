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

export async function getEmergency(deps: Pick<EmergencyDeps, 'prisma'>, caller: AuthContext, id: string): Promise<EmergencyDetail> {
  const emergency = await findEmergency(deps.prisma, id);
  if (emergency === undefined || !(await mayRespond(deps.prisma, caller, emergency))) throw emergencyNotFound(id);
  const [timeline, nextStepAt] = await Promise.all([readTimeline(deps.prisma, id), nextDueAt(deps.prisma, id)]);
  return { emergency, timeline, nextStepAt };
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
  deps: Pick<EmergencyDeps, 'prisma'>,
  caller: AuthContext,
  request: EmergencyListRequest,
): Promise<{ emergencies: Emergency[]; next?: EmergencyPosition }> {
  const personId = request.personId ?? caller.userId;
  requireManager(caller, personId, 'emergency lists');
  const page = await readPage(deps.prisma, { personId, statuses: request.statuses }, request.limit, request.after);
  const last = page.emergencies.at(-1);
  return { emergencies: page.emergencies, ...(page.more && last !== undefined ? { next: { createdAt: last.createdAt, id: last.id } } : {}) };
}
