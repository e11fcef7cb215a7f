import type { SeriesState } from '@lifeline/contracts';
import { canActFor, notFound, type AuthContext, type HttpProblem } from '@lifeline/kit';
import type { Db, Tx } from '../data/db.ts';
import { findSeries, lockSeries } from '../data/series-repository.ts';

export function seriesNotFound(id: string): HttpProblem {
  return notFound(`Series ${id} was not found.`, { type: 'series-not-found' });
}

/** Someone else's series answers exactly like a missing one, so ids cannot be probed for existence. */
export async function readableSeries(db: Db, caller: AuthContext, id: string): Promise<SeriesState> {
  const series = await findSeries(db, id);
  if (series === undefined || !canActFor(caller, series.ownerId)) throw seriesNotFound(id);
  return series;
}

/** The series a write is about, locked for the rest of the transaction. */
export async function lockManagedSeries(tx: Tx, caller: AuthContext, id: string): Promise<SeriesState> {
  const series = await lockSeries(tx, id);
  if (series === undefined || !canActFor(caller, series.ownerId)) throw seriesNotFound(id);
  return series;
}
