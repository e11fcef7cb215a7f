import type { Actor, SeriesState, TaskState, TopicEvent } from '@lifeline/contracts';
import { parseRecurrence } from '@lifeline/recurrence';
import type { Logger } from '@lifeline/kit';
import type { Emit } from '@lifeline/db';
import type { Tx } from '../data/db.ts';
import { claimInstance } from '../data/instance-repository.ts';
import { followSourceVersion, insertSeries, lockSeriesBySourceTask } from '../data/series-repository.ts';
import { sourceInstanceKey } from './instance-key.ts';
import { endSeries, reviseSeries } from './series-changes.ts';
import { seriesEvent } from './series-event.ts';
import { newSeries, reminderOffsetMinutes } from './series-template.ts';

type TaskEvent = TopicEvent<'task-events'>;

export interface SourceContext {
  tx: Tx;
  emit: Emit;
  now: Date;
  logger: Logger;
}

const SOURCE_STATE = { open: 'open', done: 'done', cancelled: 'detached' } as const;

/**
 * A task that carries a recurrence becomes the template of a new series. When it has a due time, it is
 * recorded as the instance of that time, so generation never makes a second task for the same occurrence.
 */
async function seriesFromTask(ctx: SourceContext, task: TaskState & { recurrence: string }, actor: Actor): Promise<void> {
  const parsed = parseRecurrence(task.recurrence);
  if (!parsed.ok) {
    // The tasks app accepted it, so this is a disagreement between versions of the rule grammar: say so loudly.
    ctx.logger.error({ taskId: task.id, issues: parsed.issues }, 'task recurrence cannot be read; no series made');
    return;
  }
  const series = newSeries(
    {
      ownerId: task.ownerId,
      title: task.title,
      notes: task.notes,
      priority: task.priority,
      tags: task.tags,
      remindBeforeMinutes: reminderOffsetMinutes(task.dueAt, task.remindAt),
    },
    parsed.rule,
    { sourceTaskId: task.id, createdBy: actor.id, now: ctx.now },
  );
  if (!(await insertSeries(ctx.tx, series, task.version))) return;
  if (task.dueAt !== null) {
    await claimInstance(ctx.tx, {
      id: sourceInstanceKey(series.id, task.id),
      seriesId: series.id,
      dueAt: new Date(task.dueAt),
      revision: series.revision,
      origin: 'source',
      state: SOURCE_STATE[task.status],
      taskId: task.id,
      taskVersion: task.version,
    });
  }
  ctx.emit(seriesEvent('series.created', series.id, actor, { after: series }));
}

/** The source task's recurrence changed: removed ends the series, replaced revises it. */
async function followRecurrence(ctx: SourceContext, series: SeriesState, task: TaskState, actor: Actor): Promise<void> {
  if (task.recurrence === null) {
    await endSeries(ctx.tx, ctx.emit, series, 'recurrence-removed', actor, ctx.now);
    return;
  }
  const parsed = parseRecurrence(task.recurrence);
  if (!parsed.ok) {
    ctx.logger.error({ taskId: task.id, seriesId: series.id, issues: parsed.issues }, 'task recurrence cannot be read; series left as it was');
    return;
  }
  await reviseSeries(ctx.tx, ctx.emit, series, { rule: parsed.rule }, actor, ctx.now);
}

/**
 * What a task event means for the series made from that task (or for a series it should start). Only the
 * recurrence is followed: the source task's other fields describe its own occurrence, and the template is
 * changed with PATCH /series. The series events this emits drive generation and cancellation.
 */
export async function followSourceTask(ctx: SourceContext, event: TaskEvent): Promise<void> {
  const actor = event.actor;
  if (event.type === 'task.created') {
    const task = event.data.after;
    if (task.recurrence !== null) await seriesFromTask(ctx, { ...task, recurrence: task.recurrence }, actor);
    return;
  }

  const task = event.type === 'task.deleted' ? event.data.before : event.data.after;
  const series = await lockSeriesBySourceTask(ctx.tx, task.id);
  if (series === undefined) {
    // A recurrence added to a task that had none starts a series from it.
    if (event.type === 'task.updated' && event.data.before.recurrence === null && task.recurrence !== null) {
      await seriesFromTask(ctx, { ...task, recurrence: task.recurrence }, actor);
    }
    return;
  }
  if (series.status === 'ended') return;
  if (event.type === 'task.deleted') {
    await endSeries(ctx.tx, ctx.emit, series, 'task-deleted', actor, ctx.now);
    return;
  }
  // A late or repeated event about an older version of the task must not undo a newer change.
  if (!(await followSourceVersion(ctx.tx, series.id, task.version))) return;
  if (event.type === 'task.updated' && event.data.before.recurrence !== task.recurrence) {
    await followRecurrence(ctx, series, task, actor);
  }
}
