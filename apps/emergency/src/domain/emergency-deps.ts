import type { EmergencyAckLinks } from '@lifeline/kit';
import type { SqlPool } from '../data/db.ts';
import type { DistanceLookup } from './nearest-first.ts';

/** What the emergency use cases need; built once in createApp. */
export interface EmergencyDeps {
  /** Straight on the Postgres pool (data/sql.ts): transactions here hold a connection only while their SQL runs. */
  db: SqlPool;
  /** A transaction that wrote outbox rows committed: the relay publishes without waiting for its next poll. */
  outboxWritten: () => void;
  /** A transaction scheduled a step that is due now: run the escalation without waiting for the next tick. */
  stepsDue: () => void;
  /** A new emergency committed: attach the person's last known position and trail (in the background). */
  raised: (emergencyId: string, personId: string) => void;
  /** Seconds in one policy minute: 60 in production, 1 in tests (ESCALATION_TIME_UNIT). */
  secondsPerMinute: number;
  idempotencyTtlHours: number;
  /** How long after its due time a check-in that was not completed counts as missed. */
  checkInGraceSeconds: number;
  /** Verifies the links notification signs for outside contacts (kit's emergency acknowledgement links). */
  ackLinks: EmergencyAckLinks;
  /** Asks the location app how far each user is from the person (nearest-first tiers); never throws. */
  distances: (personId: string, userIds: readonly string[]) => Promise<DistanceLookup>;
  /** ADMIN_USER_IDS: told (and recorded as paged) when an escalation is exhausted. */
  admins: readonly string[];
}
