// The measured pipeline: reminder.due published through daprd, delivered by the broker to the notification
// app, sent by email; how each delivery ended is read from the app's own delivery records.
import { topicOf } from '@lifeline/contracts';
import type { DaprClient } from '@lifeline/kit';
import { waitUntil } from '@lifeline/e2e/harness';
import type { EmailOutcome, NotificationRecords } from './notification-records.ts';
import { recipientOf, type BenchUser } from './notification-users.ts';
import { runOpenLoop } from './open-loop.ts';
import { benchReminder } from './reminder-events.ts';

const TOPIC = topicOf('reminder.due');
const BULK = 100;
const PARALLEL_BULKS = 4;
const FINISH_TIMEOUT_MS = 300_000;
const SETTLE_TIMEOUT_MS = 120_000;
const IDLE_MS = 1000;

export interface PhaseResult {
  /** Each email delivery of the phase as it ended. */
  outcomes: EmailOutcome[];
  /** Events the sidecar accepted (their deliveries were awaited). */
  published: number;
  publishFailed: number;
  /** Event id -> its `time` (ms): when each reminder was made, just before its publish. */
  eventTimes: Map<string, number>;
  /** Wall clock (ms) right before the first publish. */
  startedMs: number;
  publishS: number;
}

export interface ReminderPipeline {
  /** Publishes one reminder per user in turn and waits for every mail: JIT, pools, the rate-limit script, the consumer group. */
  warmUp(users: readonly BenchUser[], count: number): Promise<void>;
  /** Publishes `count` reminders as fast as the sidecar takes them (bulk requests), then waits for every mail. */
  sustained(users: readonly BenchUser[], count: number): Promise<PhaseResult>;
  /** Publishes at a fixed rate whatever the responses do (open loop), then waits for every mail. */
  paced(users: readonly BenchUser[], rate: number, durationS: number): Promise<PhaseResult>;
  /**
   * Resolves once the app is idle: its outbox has published every notification event so far, and it has made
   * no delivery for a second (events left in the broker by an earlier, interrupted run are worked off first).
   */
  settled(): Promise<void>;
}

export function reminderPipeline(sidecar: DaprClient, records: NotificationRecords): ReminderPipeline {
  const finished = async (label: string, users: readonly BenchUser[], expected: number): Promise<EmailOutcome[]> => {
    const ids = users.map((u) => u.id);
    await waitUntil(`${label}: ${expected} email deliveries finished`, async () => ((await records.finishedEmails(ids)) >= expected ? true : undefined), FINISH_TIMEOUT_MS, 250);
    return records.emailOutcomes(ids);
  };
  const publishOne = async (user: BenchUser) => {
    const event = benchReminder(user.id);
    await sidecar.publish(TOPIC, event, { id: event.id, type: event.type, source: event.source });
    return event;
  };

  return {
    async warmUp(users, count) {
      for (let i = 0; i < count; i++) await publishOne(recipientOf(users, i));
      await finished('warm-up', users, count);
    },

    async sustained(users, count) {
      const events = Array.from({ length: count }, (_, i) => benchReminder(recipientOf(users, i).id));
      const eventTimes = new Map(events.map((e) => [e.id, Date.parse(e.time)]));
      const startedMs = Date.now();
      let publishFailed = 0;
      for (let i = 0; i < events.length; i += BULK * PARALLEL_BULKS) {
        const bulks = Array.from({ length: PARALLEL_BULKS }, (_, k) => events.slice(i + k * BULK, i + (k + 1) * BULK)).filter((b) => b.length > 0);
        const results = await Promise.all(
          bulks.map((b) => sidecar.publishBulk(TOPIC, b.map((e) => ({ entryId: e.id, data: e, id: e.id, type: e.type, source: e.source })))),
        );
        for (const r of results) {
          publishFailed += r.failed.size;
          for (const id of r.failed.keys()) eventTimes.delete(id);
        }
      }
      const publishS = (Date.now() - startedMs) / 1000;
      const outcomes = await finished('sustained', users, eventTimes.size);
      return { outcomes, published: eventTimes.size, publishFailed, eventTimes, startedMs, publishS };
    },

    async paced(users, rate, durationS) {
      const eventTimes = new Map<string, number>();
      const startedMs = Date.now();
      const load = await runOpenLoop({
        rate,
        durationS,
        fire: async (i) => {
          const event = await publishOne(recipientOf(users, i));
          eventTimes.set(event.id, Date.parse(event.time));
          return true;
        },
      });
      const outcomes = await finished('paced', users, eventTimes.size);
      return { outcomes, published: eventTimes.size, publishFailed: load.errors, eventTimes, startedMs, publishS: load.elapsedS };
    },

    async settled() {
      const idle = async () => (await records.outboxBacklog()) === 0 && (await records.msSinceLastDelivery()) >= IDLE_MS;
      await waitUntil('the notification app idle (outbox drained, no new deliveries)', async () => ((await idle()) ? true : undefined), SETTLE_TIMEOUT_MS, 250);
    },
  };
}
