import { Counter } from 'prom-client';
import type { InputBinding, Metrics } from '@lifeline/kit';
import { sendDueReminders, type ReminderDeps } from '../domain/send-due-reminders.ts';

/** The Dapr cron input binding (components/dapr/common/tasks-reminder-cron.yaml); daprd calls POST /<name>. */
export const REMINDER_CRON_BINDING = 'tasks-reminder-cron';

/**
 * Every tick publishes the reminders that came due since the last one. Ticks may overlap, be redelivered
 * or run on every replica at once: sendDueReminders is safe under all three. A failure answers 500 and the
 * next tick picks the same reminders up, since nothing was marked.
 */
export function reminderCron(deps: Omit<ReminderDeps, 'logger'>, metrics: Metrics): InputBinding {
  const due = new Counter({
    name: 'task_reminders_due_total',
    help: 'reminder.due events written to the outbox by the reminder cron',
    registers: [metrics.registry],
  });
  return {
    name: REMINDER_CRON_BINDING,
    handler: async (_body, ctx) => {
      const { sent, setAside } = await sendDueReminders({ ...deps, logger: ctx.logger });
      due.inc(sent);
      if (sent > 0 || setAside > 0) ctx.logger.info({ reminders: sent, setAside }, 'due reminders written to the outbox');
    },
  };
}
