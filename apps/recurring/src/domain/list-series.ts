import type { SeriesState } from '@lifeline/contracts';
import { badRequest, canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import { findSeries, listSeries as readPage } from '../data/series-repository.ts';
import type { RecurringDeps } from './recurring-deps.ts';

export interface SeriesListRequest {
  /** Whose series; the caller's own when absent. */
  ownerId?: string | undefined;
  status?: SeriesState['status'] | undefined;
  limit: number;
  /** The id of the last series of the previous page. */
  after?: string | undefined;
}

export interface SeriesPage {
  items: SeriesState[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/** A person's series, oldest first, in keyset pages. */
export async function listSeries(deps: Pick<RecurringDeps, 'prisma'>, caller: AuthContext, request: SeriesListRequest): Promise<SeriesPage> {
  const ownerId = request.ownerId ?? caller.userId;
  // Listing is not asking for one id: refusing says nothing about any series, so 403 rather than an empty page.
  if (!canActFor(caller, ownerId)) throw forbidden('You may list only your own series or those of the people you care for.');
  let after: { createdAt: Date; id: string } | undefined;
  if (request.after !== undefined) {
    const last = await findSeries(deps.prisma, request.after);
    if (last === undefined || last.ownerId !== ownerId) {
      throw badRequest('`after` must be the id of a series on the previous page of this list.', { type: 'invalid-cursor' });
    }
    after = { createdAt: new Date(last.createdAt), id: last.id };
  }
  const rows = await readPage(deps.prisma, { ownerId, status: request.status, limit: request.limit + 1, after });
  const items = rows.slice(0, request.limit);
  return { items, next: rows.length > request.limit ? (items.at(-1)?.id ?? null) : null };
}
