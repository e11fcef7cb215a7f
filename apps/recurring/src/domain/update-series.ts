import type { SeriesState } from '@lifeline/contracts';
import { conflict, requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { checkRecurrence } from '@lifeline/recurrence';
import { nowOf, type RecurringDeps } from './recurring-deps.ts';
import { lockManagedSeries } from './series-access.ts';
import { reviseSeries } from './series-changes.ts';
import type { TemplatePatch } from './series-template.ts';

export interface SeriesPatch extends Omit<TemplatePatch, 'rule'> {
  recurrence?: string | undefined;
}

/** PATCH /series/{id}: a new template replaces the future instances nobody started (see reviseSeries). */
export async function updateSeries(deps: RecurringDeps, caller: AuthContext, id: string, patch: SeriesPatch, condition?: VersionCondition): Promise<SeriesState> {
  const now = nowOf(deps);
  // Checked before the transaction: evaluating a rule may take a while and must not hold the row lock.
  const { recurrence, ...rest } = patch;
  const rule = recurrence === undefined ? undefined : await checkRecurrence(deps.evaluator, recurrence, { now });

  return inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedSeries(tx, caller, id);
    requireVersion('Series', before, condition);
    if (before.status === 'ended') throw conflict(`Series ${id} has ended; create a new series instead.`, { type: 'series-ended' });
    return reviseSeries(tx, emit, before, { ...rest, rule }, { id: caller.userId, kind: 'user' }, now);
  });
}
