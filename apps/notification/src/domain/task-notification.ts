import type { TaskState, TopicEvent } from '@lifeline/contracts';
import { localTime } from './local-time.ts';
import type { NotificationContent, NotificationRequest } from './notification.ts';

type TaskEvent = TopicEvent<'task-events'>;

function wording(event: TaskEvent, by: string): { task: TaskState; title: string; body: string; changed: string } {
  switch (event.type) {
    case 'task.created':
      return { task: event.data.after, title: `New task: ${event.data.after.title}`, body: `${by} added a task for you.`, changed: '' };
    case 'task.updated': {
      const changed = event.data.changedFields.join(', ');
      return { task: event.data.after, title: `Task changed: ${event.data.after.title}`, body: `${by} changed ${changed}.`, changed };
    }
    case 'task.completed':
      return { task: event.data.after, title: `Task done: ${event.data.after.title}`, body: `${by} marked your task as done.`, changed: '' };
    case 'task.deleted':
      return { task: event.data.before, title: `Task removed: ${event.data.before.title}`, body: `${by} removed your task.`, changed: '' };
  }
}

/**
 * task-events: the person is told when someone else (a caregiver, an admin) created or changed their task.
 * Their own changes and system changes (generated instances) tell nobody: null.
 */
export function taskNotification(event: TaskEvent): NotificationRequest | null {
  const { task, title, body, changed } = wording(event, event.actor.id);
  if (event.actor.kind !== 'user' || event.actor.id === task.ownerId) return null;
  const content = (): NotificationContent => ({
    kind: event.type,
    title,
    body,
    data: {
      taskId: task.id,
      taskTitle: task.title,
      actorId: event.actor.id,
      priority: task.priority,
      due: task.dueAt === null ? '' : localTime(task.dueAt, task.timezone),
      notes: task.notes ?? '',
      changedFields: changed,
    },
  });
  return { cause: { id: event.id, type: event.type, subject: task.id }, category: 'tasks', priority: 'normal', recipients: [task.ownerId], content };
}
