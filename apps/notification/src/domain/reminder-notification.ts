import type { EventOf } from '@lifeline/contracts';
import { localTime } from './local-time.ts';
import type { NotificationRequest } from './notification.ts';

/** reminder.due: the task's owner is reminded, with times on the task's own clock. */
export function reminderNotification(event: EventOf<'reminder.due'>): NotificationRequest {
  const d = event.data;
  const due = d.dueAt === null ? '' : localTime(d.dueAt, d.timezone);
  return {
    cause: { id: event.id, type: event.type, subject: d.taskId },
    category: 'reminders',
    priority: 'normal',
    recipients: [d.ownerId],
    content: () => ({
      kind: event.type,
      title: `Reminder: ${d.title}`,
      body: due === '' ? 'It is time for this task.' : `Due ${due}.`,
      data: { taskId: d.taskId, taskTitle: d.title, priority: d.priority, due, dueAt: d.dueAt ?? '', remindAt: d.remindAt },
    }),
  };
}
