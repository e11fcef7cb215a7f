import type { SeriesState } from '@lifeline/contracts';
import { canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { checkRecurrence } from '@lifeline/recurrence';
import { insertSeries } from '../data/series-repository.ts';
import { nowOf, type RecurringDeps } from './recurring-deps.ts';
import { seriesEvent } from './series-event.ts';
import { newSeries, type SeriesTemplate } from './series-template.ts';

export interface NewSeries extends Omit<SeriesTemplate, 'ownerId'> {
  /** Whose series; the caller when absent. */
  ownerId?: string | undefined;
  recurrence: string;
}

/**
 * A series without a source task. The row and series.created commit together; generation runs when that
 * event comes back, so a tasks app that is down delays the instances (broker retries) instead of losing them.
 */
export async function createSeries(deps: RecurringDeps, caller: AuthContext, input: NewSeries): Promise<SeriesState> {
  const ownerId = input.ownerId ?? caller.userId;
  if (!canActFor(caller, ownerId)) throw forbidden('You may create series only for yourself or for the people you care for.');
  const now = nowOf(deps);
  const rule = await checkRecurrence(deps.evaluator, input.recurrence, { now });

  const template: SeriesTemplate = {
    ownerId,
    title: input.title,
    notes: input.notes,
    priority: input.priority,
    tags: input.tags,
    remindBeforeMinutes: input.remindBeforeMinutes,
  };
  const series = newSeries(template, rule, { sourceTaskId: null, createdBy: caller.userId, now });
  await inOutboxTransaction(deps, async (tx, emit) => {
    await insertSeries(tx, series);
    emit(seriesEvent('series.created', series.id, { id: caller.userId, kind: 'user' }, { after: series }));
  });
  return series;
}
