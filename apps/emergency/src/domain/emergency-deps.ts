import type { PrismaClient } from '../data/db.ts';
import type { AckLinks } from './ack-link.ts';

/** What the emergency use cases need; built once in createApp. */
export interface EmergencyDeps {
  prisma: PrismaClient;
  /** A transaction that wrote outbox rows committed: the relay publishes without waiting for its next poll. */
  outboxWritten: () => void;
  /** A transaction scheduled a step that is due now: run the escalation without waiting for the next tick. */
  stepsDue: () => void;
  /** Seconds in one policy minute: 60 in production, 1 in tests (ESCALATION_TIME_UNIT). */
  secondsPerMinute: number;
  idempotencyTtlHours: number;
  ackLinks: AckLinks;
}
