import type { SeriesState, TaskState } from '@lifeline/contracts';
import { inOutboxTransaction } from '@lifeline/db';
import { instanceTaskBodySchema } from '../clients/tasks-client.ts';
import { instancesInState, recordCreatedTask, type InstanceRow } from '../data/instance-repository.ts';
import type { RecurringDeps } from './recurring-deps.ts';
import { SYSTEM_ACTOR, seriesEvent } from './series-event.ts';

interface Made {
  row: InstanceRow;
  task: TaskState;
}

/**
 * Records the tasks the tasks app answered with, and announces the ones this run opened in the same
 * transaction. A crash before it commits leaves the rows pending: the next run replays their creation
 * (same key, same body, same task) and records and announces them then, so no instance goes unannounced.
 */
async function record(deps: RecurringDeps, series: SeriesState, made: Made[], horizonEnd: Date): Promise<number> {
  return inOutboxTransaction(deps, async (tx, emit) => {
    const opened: Array<{ taskId: string; dueAt: string }> = [];
    for (const { row, task } of made) {
      if (await recordCreatedTask(tx, row.id, task.id, task.version)) opened.push({ taskId: task.id, dueAt: row.dueAt.toISOString() });
    }
    if (opened.length > 0) {
      emit(seriesEvent('instances.generated', series.id, SYSTEM_ACTOR, { seriesId: series.id, ownerId: series.ownerId, instances: opened, horizonEnd: horizonEnd.toISOString() }));
    }
    return opened.length;
  });
}

/**
 * Creates the tasks of a series' pending rows (oldest first, at most one generation's worth) in the tasks
 * app. What was created before a failure is recorded before the failure is rethrown.
 */
export async function createPendingInstances(deps: RecurringDeps, series: SeriesState, horizonEnd: Date): Promise<number> {
  const rows = await instancesInState(deps.prisma, series.id, 'pending', deps.maxPerGeneration);
  const made: Made[] = [];
  let failure: Error | undefined;
  for (const row of rows) {
    try {
      made.push({ row, task: await deps.tasks.create(row.id, instanceTaskBodySchema.parse(row.request)) });
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      break;
    }
  }
  const opened = made.length > 0 ? await record(deps, series, made, horizonEnd) : 0;
  deps.metrics.instancesCreated.inc(opened);
  if (failure !== undefined) throw failure;
  return opened;
}
