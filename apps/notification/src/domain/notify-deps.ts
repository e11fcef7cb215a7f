import type { Logger } from '@lifeline/kit';
import type { PrismaClient } from '../data/db.ts';
import type { NotificationMetrics } from '../notification-metrics.ts';
import type { Delivery, SendResult } from './delivery.ts';
import type { NotificationChannel } from './notification.ts';
import type { Preferences } from './preferences.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** One way out: email, push or WebSocket. Never throws for a delivery failure; it answers with a SendResult. */
export interface Channel {
  send(delivery: Delivery, prefs: Preferences): Promise<SendResult>;
}

export interface RetrySettings {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** How long an attempt holds its delivery: longer than any send may take. */
  leaseMs: number;
}

export interface NotifyDeps {
  prisma: PrismaClient;
  channels: Record<NotificationChannel, Channel>;
  rateLimiter: RateLimiter;
  retry: RetrySettings;
  metrics: NotificationMetrics;
  logger: Logger;
  /** Outbox rows were committed: publish them now rather than at the relay's next poll. */
  outboxWritten: () => void;
}
