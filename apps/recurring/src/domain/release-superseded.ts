import type { SeriesState } from '@lifeline/contracts';
import { TasksRefusedError, instanceTaskBodySchema } from '../clients/tasks-client.ts';
import { instancesInState, recordCreatedTask, transition, type InstanceRow } from '../data/instance-repository.ts';
import { findSeries } from '../data/series-repository.ts';
import type { RecurringDeps } from './recurring-deps.ts';

const BATCH = 50;

/** The task of a superseded row; a row whose creation was never confirmed replays it to learn the task. */
async function taskOf(deps: RecurringDeps, row: InstanceRow): Promise<{ id: string; version: number } | undefined> {
  if (row.taskId !== null && row.taskVersion !== null) return { id: row.taskId, version: row.taskVersion };
  try {
    // Same key and body: the tasks app answers the task it made, or makes it now (it is cancelled at once).
    const task = await deps.tasks.create(row.id, instanceTaskBodySchema.parse(row.request));
    await recordCreatedTask(deps.prisma, row.id, task.id, task.version);
    // A replay answers the task as first created, version included: a later change by the user still shows as 412.
    return { id: task.id, version: task.version };
  } catch (err) {
    // Refused for good: no task exists for this row, so there is nothing to cancel.
    if (err instanceof TasksRefusedError) return undefined;
    throw err;
  }
}

async function settle(deps: RecurringDeps, series: SeriesState, row: InstanceRow): Promise<void> {
  const task = await taskOf(deps, row);
  const outcome = task === undefined ? 'gone' : await deps.tasks.cancel(series.ownerId, task.id, task.version);
  // A task the user changed meanwhile is theirs now: it is left alone, and out of the series.
  await transition(deps.prisma, row.id, ['superseded'], outcome === 'changed' ? 'released' : 'cancelled');
  deps.metrics.instancesReplaced.inc({ outcome: outcome === 'changed' ? 'released' : outcome });
}

/**
 * Cancels the tasks of a series' superseded instances (after a template change or an end), each only if it
 * is still at the version this app created. Safe to repeat: a settled row is no longer superseded, and a
 * second cancel of a cancelled task changes nothing. Returns how many rows were settled.
 */
export async function releaseSuperseded(deps: RecurringDeps, seriesId: string): Promise<number> {
  const series = await findSeries(deps.prisma, seriesId);
  if (series === undefined) return 0;
  let settled = 0;
  for (;;) {
    const rows = await instancesInState(deps.prisma, seriesId, 'superseded', BATCH);
    for (const row of rows) await settle(deps, series, row);
    settled += rows.length;
    if (rows.length < BATCH) return settled;
  }
}
