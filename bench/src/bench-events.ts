import { randomUUID } from 'node:crypto';
import { makeEvent, type EventOf } from '@lifeline/contracts';

/** A valid task.created event whose actor tags the benchmark run, so its rows can be found afterwards. */
export function benchTaskCreated(runActor: string): EventOf<'task.created'> {
  const now = new Date().toISOString();
  const id = randomUUID();
  return makeEvent('task.created', {
    source: 'tasks',
    subject: id,
    actor: { id: runActor, kind: 'user' },
    data: {
      after: {
        id, ownerId: runActor, title: 'benchmark task', notes: null, priority: 'normal', tags: ['bench'],
        dueAt: null, remindAt: null, timezone: 'UTC', status: 'open', completedAt: null, recurrence: null,
        version: 1, createdAt: now, updatedAt: now, createdBy: runActor,
      },
    },
  });
}
