import type { AuthContext } from '@lifeline/kit';
import { nowOf, type RecurringDeps } from './recurring-deps.ts';
import { lockManagedSeries, requireVersion } from './series-access.ts';
import { endSeries } from './series-changes.ts';
import { inSeriesTransaction } from './series-transaction.ts';

/**
 * DELETE /series/{id} ends the series: it stays readable (status ended), makes no more instances, and its
 * future instances nobody started are cancelled. Ending an ended series changes nothing.
 */
export async function deleteSeries(deps: RecurringDeps, caller: AuthContext, id: string, expectedVersion?: number): Promise<void> {
  await inSeriesTransaction(deps, async (tx, emit) => {
    const before = await lockManagedSeries(tx, caller, id);
    if (before.status === 'ended') return;
    requireVersion(before, expectedVersion);
    await endSeries(tx, emit, before, 'series-deleted', { id: caller.userId, kind: 'user' }, nowOf(deps));
  });
}
