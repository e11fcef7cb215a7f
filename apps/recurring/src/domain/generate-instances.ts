import type { SeriesState } from '@lifeline/contracts';
import { inOutboxTransaction } from '@lifeline/db';
import { END_OF_TIME, occurrencesOf } from '@lifeline/recurrence';
import { claimInstance, countInState, liveDueInstants } from '../data/instance-repository.ts';
import { advanceCursor, findSeries, lockSeries, shareLockSeries } from '../data/series-repository.ts';
import { createPendingInstances } from './create-pending-instances.ts';
import { instanceBody } from './instance-body.ts';
import { instanceKey } from './instance-key.ts';
import { horizonEnd, nowOf, type RecurringDeps } from './recurring-deps.ts';
import { endSeries } from './series-changes.ts';
import { SYSTEM_ACTOR } from './series-event.ts';

export interface GenerationResult {
  /** Instance tasks this run created (and announced in instances.generated). */
  created: number;
  /** The rule has no occurrence left: the series ended as rule-exhausted. */
  exhausted: boolean;
}

interface Plan {
  /** Occurrences to claim now, oldest first. */
  fresh: Date[];
  /** Where the cursor goes once they are claimed. */
  cursor: Date;
  /** Every occurrence up to the horizon has its row. */
  windowDone: boolean;
}

/**
 * The next occurrences that need an instance: from the cursor (never the past) to the horizon, skipping those
 * a live row already covers (a done instance, the source task, a user-changed one), at most `quota`.
 */
async function plan(deps: RecurringDeps, series: SeriesState, now: Date, quota: number): Promise<Plan> {
  const from = new Date(Math.max(Date.parse(series.generatedUntil), now.getTime()));
  const end = horizonEnd(deps, now);
  if (quota === 0 || from >= end) return { fresh: [], cursor: from, windowDone: from >= end };
  const covered = await liveDueInstants(deps.prisma, series.id, from, end);
  const limit = quota + covered.size + 1;
  const occurrences = await occurrencesOf(deps.evaluator, series.recurrence, from, end, limit);
  const free = occurrences.filter((t) => !covered.has(t.getTime()));
  const fresh = free.slice(0, quota);
  const last = fresh.at(-1);
  const windowDone = occurrences.length < limit && free.length <= quota;
  return { fresh, cursor: windowDone || last === undefined ? end : new Date(last.getTime() + 1), windowDone };
}

/**
 * Claims the planned slots under a shared lock of the series, verifying it is still active at the revision
 * planned for: a PATCH or DELETE either commits first (and this run claims nothing) or waits and then
 * supersedes what was claimed here. False when the series moved on.
 */
async function claim(deps: RecurringDeps, series: SeriesState, planned: Plan): Promise<boolean> {
  return deps.prisma.$transaction(async (tx) => {
    const current = await shareLockSeries(tx, series.id);
    if (current?.status !== 'active' || current.revision !== series.revision) return false;
    for (const dueAt of planned.fresh) {
      await claimInstance(tx, {
        id: instanceKey(series.id, series.revision, dueAt),
        seriesId: series.id,
        dueAt,
        revision: series.revision,
        origin: 'generated',
        state: 'pending',
        request: instanceBody(series, dueAt),
      });
    }
    await advanceCursor(tx, series.id, series.revision, planned.cursor);
    return true;
  });
}

/**
 * When every occurrence up to the horizon is covered and none lies beyond it, the rule is used up. The
 * instances still due stay: only generation stops.
 */
async function endIfExhausted(deps: RecurringDeps, series: SeriesState, now: Date): Promise<boolean> {
  const [next] = await occurrencesOf(deps.evaluator, series.recurrence, horizonEnd(deps, now), END_OF_TIME, 1);
  if (next !== undefined) return false;
  return inOutboxTransaction(deps, async (tx, emit) => {
    const current = await lockSeries(tx, series.id);
    if (current?.status !== 'active' || current.revision !== series.revision) return false;
    await endSeries(tx, emit, current, 'rule-exhausted', SYSTEM_ACTOR, now);
    return true;
  });
}

/**
 * Tops a series up: at most MAX_INSTANCES_PER_GENERATION instance tasks per run, up to the horizon. Safe to
 * run at any time, twice, or on two replicas at once: slots are claimed under UNIQUE (series, due time)
 * before any task is created, and every creation carries the slot's idempotency key. Rows left pending by
 * an earlier failed run are finished first and count against the same limit.
 */
export async function generateInstances(deps: RecurringDeps, seriesId: string): Promise<GenerationResult> {
  const series = await findSeries(deps.prisma, seriesId);
  if (series === undefined) return { created: 0, exhausted: false };
  const now = nowOf(deps);
  // An ended series makes nothing new, but what a run claimed before the rule ran out is still made.
  if (series.status === 'ended') return { created: await createPendingInstances(deps, series, horizonEnd(deps, now)), exhausted: false };

  const leftovers = await countInState(deps.prisma, seriesId, 'pending');
  const planned = await plan(deps, series, now, Math.max(0, deps.maxPerGeneration - leftovers));
  const moves = planned.fresh.length > 0 || planned.cursor.getTime() > Date.parse(series.generatedUntil);
  if (moves && !(await claim(deps, series, planned))) return { created: 0, exhausted: false };
  const created = await createPendingInstances(deps, series, horizonEnd(deps, now));
  const exhausted = planned.windowDone && (await endIfExhausted(deps, series, now));
  return { created, exhausted };
}
