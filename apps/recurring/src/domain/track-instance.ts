import type { TopicEvent } from '@lifeline/contracts';
import type { Db } from '../data/db.ts';
import { findInstanceByTask, transition } from '../data/instance-repository.ts';

type TaskEvent = TopicEvent<'task-events'>;

/**
 * Keeps an instance row in step with its task. Completed: done (the slot stays covered). Changed or deleted
 * by someone other than this app: detached, so a later template change or end leaves that task alone and the
 * occurrence is not made again. This app's own changes (cancelling a superseded task) are not the user's.
 */
export async function trackInstance(db: Db, event: TaskEvent, serviceId: string): Promise<void> {
  if (event.type === 'task.created') return;
  const task = event.type === 'task.deleted' ? event.data.before : event.data.after;
  const row = await findInstanceByTask(db, task.id);
  if (row === undefined) return;
  switch (event.type) {
    case 'task.completed':
      await transition(db, row.id, ['open', 'detached'], 'done', task.version);
      return;
    case 'task.updated':
      if (event.actor.id !== serviceId) await transition(db, row.id, ['open'], 'detached', task.version);
      return;
    case 'task.deleted':
      await transition(db, row.id, ['open'], 'detached');
      return;
  }
}

/** The series a completed instance belongs to: completing an instance tops its series up. */
export async function seriesToTopUp(db: Db, event: TaskEvent): Promise<string | undefined> {
  if (event.type !== 'task.completed') return undefined;
  return (await findInstanceByTask(db, event.data.after.id))?.seriesId;
}
