import type { NotificationCategory, NotificationPriority } from '@lifeline/contracts';
import { notificationCategorySchema, notificationChannelSchema } from '@lifeline/contracts';
import type { z } from 'zod';
import type { OutsideContact } from './outside-contact.ts';
import type { Preferences } from './preferences.ts';

export type NotificationChannel = z.infer<typeof notificationChannelSchema>;
export type { NotificationCategory, NotificationPriority };

export const CHANNELS: readonly NotificationChannel[] = notificationChannelSchema.options;
export const CATEGORIES: readonly NotificationCategory[] = notificationCategorySchema.options;

/**
 * Channel-neutral content, stored with each delivery and rendered by each channel at send time: push and
 * WebSocket show title and body, email renders the kind's own templates from `data`.
 */
export interface NotificationContent {
  /** The cause event's type (reminder.due, task.updated, ...): selects the email templates. */
  kind: string;
  title: string;
  body: string;
  /** Plain strings only: template values and what a client links to (taskId, emergencyId, ...). */
  data: Record<string, string>;
}

export interface NotificationCause {
  /** The event id: with user and channel it is the delivery's idempotency key. */
  id: string;
  type: string;
  /** What the notification is about (task id, emergency id). */
  subject: string;
}

/** What one consumed event asks for: who is told, how urgently, and what (per recipient, in their timezone). */
export interface NotificationRequest {
  cause: NotificationCause;
  category: NotificationCategory;
  priority: NotificationPriority;
  recipients: string[];
  /** People without a Lifeline account (an emergency's outside contacts): mail only, to their own address. */
  contacts?: OutsideContact[];
  content: (prefs: Preferences) => NotificationContent;
}

const LIMITS = { title: 300, body: 2000, value: 500 };

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Bounds every part of the content (a task's notes may run to 5000 characters): what is stored is what every
 * channel can carry, and what the live message contract accepts.
 */
export function boundedContent(c: NotificationContent): NotificationContent {
  return {
    kind: c.kind,
    title: clip(c.title, LIMITS.title),
    body: clip(c.body, LIMITS.body),
    data: Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, clip(v, LIMITS.value)])),
  };
}
