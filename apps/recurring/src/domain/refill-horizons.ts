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
}

export interface RefillResult {
  refilled: number;
  failed: number;
  created: number;
}

/** Runs `work` for each id; a failing series is logged and counted, and the others still get their turn. */
async function eachSeries(ids: string[], logger: Logger, what: string, work: (id: string) => Promise<number>): Promise<{ ok: number; failed: number; total: number }> {
  let ok = 0;
  let failed = 0;
  let total = 0;
  for (const id of ids) {
    try {
      total += await work(id);
      ok++;
    } catch (err) {
      failed++;
      logger.warn({ err, seriesId: id }, `${what} failed; the next tick or event retries it`);
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
    const batch = await eachSeries(ids, opts.logger, 'horizon refill', async (id) => (await generateInstances(deps, id)).created);
    result.refilled += batch.ok;
    result.failed += batch.failed;
    result.created += batch.total;
    deps.metrics.horizonRefills.inc({ outcome: 'ok' }, batch.ok);
    deps.metrics.horizonRefills.inc({ outcome: 'failed' }, batch.failed);
    if (ids.length < opts.batchSize) break;
  }
  if (Date.now() < deadline) {
    const stale = await seriesWithSuperseded(deps.prisma, opts.batchSize);
    const settled = await eachSeries(stale, opts.logger, 'cancelling superseded instances', (id) => releaseSuperseded(deps, id));
    result.failed += settled.failed;
  }
  return result;
}
