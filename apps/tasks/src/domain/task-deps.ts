import type { PrismaClient } from '../data/db.ts';

/** What the task use cases need; built once in createApp. */
export interface TaskDeps {
  prisma: PrismaClient;
  /** Called after a transaction that wrote outbox rows has committed: the relay publishes without waiting for its next poll. */
  outboxWritten: () => void;
  now?: () => Date;
}
