import { z } from 'zod';
import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape, outboxConfigShape } from '@lifeline/db';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const notificationConfigShape = {
  ...databaseConfigShape('notification'),
  ...outboxConfigShape,
  /** Rate-limit counters only; no app uses Redis as a message bus. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
  /** Prefix of every rate-limit key, so several deployments (or test runs) can share one Redis database. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('notification:'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL'),
  MAIL_FROM: z.string().min(3).max(300).default('Lifeline <no-reply@lifeline.local>'),
  /** The Dapr output binding (bindings.http) in front of the FCM-compatible push endpoint. */
  PUSH_BINDING: z.string().regex(NAME).default('push'),
  FCM_PROJECT: z.string().regex(/^[a-z0-9-]{1,100}$/, 'expected an FCM project id').default('lifeline'),
  /** The per-replica pub/sub component that carries live WebSocket messages to every replica. */
  FANOUT_PUBSUB: z.string().regex(NAME).default('fanout'),
  /** Deliveries per user, per channel, per RATE_LIMIT_WINDOW_MS (sliding window); emergencies are exempt. */
  RATE_LIMIT_MAX: envInt(1, 100_000).default(10),
  RATE_LIMIT_WINDOW_MS: envInt(1000, 24 * 3_600_000).default(60_000),
  /** Send attempts per delivery, the first one included; transient failures are retried up to this. */
  DELIVERY_MAX_ATTEMPTS: envInt(1, 20).default(5),
  RETRY_BASE_MS: envInt(1, 600_000).default(1000),
  RETRY_MAX_MS: envInt(1, 3_600_000).default(30_000),
  /** Bound on one SMTP, push or fan-out call; also how long an attempt holds its delivery. */
  SEND_TIMEOUT_MS: envInt(100, 120_000).default(10_000),
  /**
   * How long one event handler may wait for backoffs; beyond it the handler answers RETRY and the
   * redelivery carries on with the recorded attempts. Stays under the sidecar's handler timeout (30 s).
   */
  HANDLER_BUDGET_MS: envInt(0, 600_000).default(20_000),
  /** Live messages older than this are ignored (a replica's new consumer group may replay old ones). */
  LIVE_MAX_AGE_MS: envInt(1000, 600_000).default(30_000),
  WS_HEARTBEAT_MS: envInt(100, 600_000).default(30_000),
  /** Delivery records are kept this long (GET /notifications, "who was alerted"), then deleted. */
  DELIVERY_RETENTION_DAYS: envInt(1, 3650).default(90),
  /** The public base of the API (the gateway's /api/v1) that an outside contact's acknowledgement link points at. */
  ACK_LINK_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default('http://127.0.0.1:8080/api/v1'),
  /** How long the acknowledgement link in an outside contact's page stays valid. */
  ACK_LINK_TTL_HOURS: envInt(1, 24 * 7).default(24),
};

export type NotificationConfig = ReturnType<typeof loadNotificationConfig>;

export function loadNotificationConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(notificationConfigShape, env);
}
