// The ceiling of the notification pipeline: the app's own email channel (nodemailer with the app's pooled
// transport and options) sending the app's own rendered reminder mail straight to the SMTP server, with no
// Dapr, broker, database or rate limiter in front. Imported rather than rebuilt, so the ceiling cannot drift
// from what the app sends.
import type { EmailChannel } from '../../apps/notification/src/channels/email/email-channel.ts';
import type { Delivery } from '../../apps/notification/src/domain/delivery.ts';
import { deliveryId } from '../../apps/notification/src/domain/delivery-id.ts';
import { boundedContent } from '../../apps/notification/src/domain/notification.ts';
import type { Preferences } from '../../apps/notification/src/domain/preferences.ts';
import { reminderNotification } from '../../apps/notification/src/domain/reminder-notification.ts';
import { emailOnlyPreferences, type BenchUser } from './notification-users.ts';
import { benchReminder } from './reminder-events.ts';

export interface ReminderMail {
  delivery: Delivery;
  prefs: Preferences;
}

/** The email delivery the app would make for a reminder to `user`: same content, same id scheme, same preferences. */
export function reminderMail(user: BenchUser): ReminderMail {
  const event = benchReminder(user.id);
  const request = reminderNotification(event);
  const prefs: Preferences = { userId: user.id, ...emailOnlyPreferences(user), updatedAt: null };
  const now = new Date().toISOString();
  return {
    prefs,
    delivery: {
      id: deliveryId(event.id, user.id, 'email'),
      causeEventId: event.id,
      causeEventType: event.type,
      subject: request.cause.subject,
      userId: user.id,
      channel: 'email',
      category: request.category,
      priority: request.priority,
      content: boundedContent(request.content(prefs)),
      fallbackFor: null,
      status: 'queued',
      reason: null,
      attempts: 1,
      providerMessageId: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    },
  };
}

export interface SendLoopResult {
  sent: number;
  failed: number;
  firstError: string | undefined;
  elapsedS: number;
  /** One channel.send each: from the call to the SMTP server's answer to DATA. */
  latenciesMs: number[];
}

/** Sends every mail, keeping `inFlight` sends going at once (closed loop: the next starts when one ends). */
export async function sendLoop(channel: EmailChannel, mails: readonly ReminderMail[], inFlight: number): Promise<SendLoopResult> {
  const latenciesMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    for (let mail = mails[next++]; mail; mail = mails[next++]) {
      const t0 = performance.now();
      const result = await channel.send(mail.delivery, mail.prefs);
      if (result.ok) {
        latenciesMs.push(performance.now() - t0);
      } else {
        failed++;
        firstError ??= result.error;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { sent: latenciesMs.length, failed, firstError, elapsedS: (performance.now() - started) / 1000, latenciesMs };
}
