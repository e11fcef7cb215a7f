import { requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { nowOf, type RecurringDeps } from './recurring-deps.ts';
import { lockManagedSeries } from './series-access.ts';
import { endSeries } from './series-changes.ts';

/**
 * DELETE /series/{id} ends the series: it stays readable (status ended), makes no more instances, and its
 * future instances nobody started are cancelled. Ending an ended series changes nothing.
 */
export async function deleteSeries(deps: RecurringDeps, caller: AuthContext, id: string, condition?: VersionCondition): Promise<void> {
  await inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedSeries(tx, caller, id);
    if (before.status === 'ended') return;
    requireVersion('Series', before, condition);
    await endSeries(tx, emit, before, 'series-deleted', { id: caller.userId, kind: 'user' }, nowOf(deps));
  });
}
