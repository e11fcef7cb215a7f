import type { Request, Response } from 'express';
import { getAuth, isHttpProblem, isRateLimited, limitRequest } from '@lifeline/kit';
import { listEmergencies } from '../domain/read-emergencies.ts';

/**
 * The emergency group's limit (kit rate-limit, 10 raises a minute by default), asked only after the dedup:
 * a person whose emergency is still open or acknowledged who presses SOS again gets that emergency back
 * (200, the raise joins it), never a 429. Only a raise that would open a new emergency spends the budget.
 */
export async function limitNewRaise(req: Request, res: Response, deps: Parameters<typeof listEmergencies>[0], personId: string | undefined): Promise<void> {
  if (!isRateLimited(req)) return;
  const caller = getAuth(req);
  try {
    const { emergencies } = await listEmergencies(deps, caller, { personId: personId ?? caller.userId, statuses: ['open', 'acknowledged'], limit: 1 });
    if (emergencies.length > 0) return;
  } catch (err) {
    // Not someone the caller may act for: the raise answers its own 403 after the limit.
    if (!isHttpProblem(err)) throw err;
  }
  await limitRequest(req, res, 'emergency');
}
