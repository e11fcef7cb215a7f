import type { NotificationSuppressionReason } from '@lifeline/contracts';
import type { NotificationCategory, NotificationChannel, NotificationContent, NotificationPriority } from './notification.ts';

export const DELIVERY_STATUSES = ['queued', 'sent', 'failed', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One notification on one channel for one user, as stored. */
export interface Delivery {
  id: string;
  causeEventId: string;
  causeEventType: string;
  subject: string;
  userId: string;
  channel: NotificationChannel;
  category: NotificationCategory;
  priority: NotificationPriority;
  content: NotificationContent;
  /** Set on an emergency fallback: the channel whose failure it replaces. */
  fallbackFor: NotificationChannel | null;
  status: DeliveryStatus;
  reason: NotificationSuppressionReason | null;
  attempts: number;
  providerMessageId: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

/** How a delivery ended for the handler that worked on it; `pending` means it is not finished yet (backoff, or another worker holds it). */
export type DeliveryOutcome = DeliveryStatus | 'pending';

/**
 * A channel's answer to one send. `transient` failures are retried (SMTP 4xx, HTTP 429 and 5xx, network);
 * retryAfterMs is the provider's own "not before" (Retry-After), which the backoff never undercuts.
 */
export type SendResult = { ok: true; providerMessageId: string } | { ok: false; transient: boolean; error: string; retryAfterMs?: number };
