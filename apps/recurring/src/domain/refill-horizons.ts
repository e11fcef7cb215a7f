import { clearSetAside, recordSetAside, type SetAside } from '@lifeline/db';
import type { Logger } from '@lifeline/kit';
import { seriesWithSuperseded } from '../data/instance-repository.ts';
import { claimRefillBatch, databaseNow } from '../data/refill-repository.ts';
import { generateInstances } from './generate-instances.ts';
import type { RecurringDeps } from './recurring-deps.ts';
import { releaseSuperseded } from './release-superseded.ts';

export interface RefillOptions {
  batchSize: number;
  budgetMs: number;
  minIntervalMinutes: number;
  logger: Logger;
  setAside: SetAside;
}

/** The set_aside work name of series whose refill fails; the record goes once a later refill succeeds. */
export const REFILL_SET_ASIDE_WORK = 'horizon-refill';

export interface RefillResult {
  refilled: number;
  failed: number;
  created: number;
}

/**
 * Runs `work` for each id; a failing series is logged, counted and recorded in set_aside for operators, and
 * the others still get their turn. The next tick (or the series' next event) retries it by itself.
 */
async function eachSeries(
  deps: RecurringDeps,
  opts: RefillOptions,
  ids: string[],
  what: string,
  work: (id: string) => Promise<number>,
): Promise<{ ok: number; failed: number; total: number }> {
  let ok = 0;
  let failed = 0;
  let total = 0;
  for (const id of ids) {
    try {
      total += await work(id);
      ok++;
      await clearSetAside(deps.prisma, REFILL_SET_ASIDE_WORK, id).catch((err: unknown) => opts.logger.warn({ err, seriesId: id }, 'set_aside not cleared'));
    } catch (err) {
      failed++;
      const reason = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      opts.logger.warn({ err, seriesId: id }, `${what} failed; the next tick or event retries it`);
      try {
        await recordSetAside(deps.prisma, { work: REFILL_SET_ASIDE_WORK, itemKey: id, reason });
        opts.setAside.report(REFILL_SET_ASIDE_WORK, id, reason, opts.logger);
      } catch (recordErr) {
        opts.logger.warn({ err: recordErr, seriesId: id }, 'set_aside not recorded');
      }
    }
  }
  return { ok, failed, total };
}

/**
 * One tick of the horizon cron: claims active series in bounded batches and generates for each (at most one
 * generation's worth per series), until none is left or the time budget is spent; then settles superseded
 * instances an earlier event could not (the tasks app was down). One bad series never stops the others.
 */
export async function refillHorizons(deps: RecurringDeps, opts: RefillOptions): Promise<RefillResult> {
  const deadline = Date.now() + opts.budgetMs;
  const tickStart = await databaseNow(deps.prisma);
  const result: RefillResult = { refilled: 0, failed: 0, created: 0 };
  while (Date.now() < deadline) {
    const ids = await claimRefillBatch(deps.prisma, tickStart, opts.minIntervalMinutes, opts.batchSize);
    const batch = await eachSeries(deps, opts, ids, 'horizon refill', async (id) => (await generateInstances(deps, id)).created);
    result.refilled += batch.ok;
    result.failed += batch.failed;
    result.created += batch.total;
    deps.metrics.horizonRefills.inc({ outcome: 'ok' }, batch.ok);
    deps.metrics.horizonRefills.inc({ outcome: 'failed' }, batch.failed);
    if (ids.length < opts.batchSize) break;
  }
  if (Date.now() < deadline) {
    const stale = await seriesWithSuperseded(deps.prisma, opts.batchSize);
    const settled = await eachSeries(deps, opts, stale, 'cancelling superseded instances', (id) => releaseSuperseded(deps, id));
    result.failed += settled.failed;
  }
  return result;
}
