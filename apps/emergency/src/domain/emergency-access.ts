import { canActFor, notFound, type AuthContext, type HttpProblem } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { wasPaged } from '../data/paged-repository.ts';
import type { Emergency } from './emergency.ts';

export function emergencyNotFound(id: string): HttpProblem {
  return notFound(`Emergency ${id} was not found.`, { type: 'emergency-not-found' });
}

/**
 * Who may see an emergency and answer it: the person, their caregivers, admins, and every Lifeline user who
 * was paged for it. Everyone else gets exactly the answer a missing id gets, so ids cannot be probed.
 */
export async function mayRespond(db: Db, caller: AuthContext, emergency: Emergency): Promise<boolean> {
  if (canActFor(caller, emergency.personId)) return true;
  return wasPaged(db, emergency.id, `user:${caller.userId}`);
}

export function actorOf(caller: AuthContext): { id: string; kind: 'user' | 'system' } {
  return { id: caller.userId, kind: caller.service === true ? 'system' : 'user' };
}
