// Notification throughput: reminder.due events turned into emails delivered to the local SMTP capture server,
// beside the app's own email channel sending the same mail straight to the same server (the ceiling), in one run.
//   npm run bench:notify -- [redis|kafka|rabbitmq ...]   (default: redis)
//   BENCH_EVENTS (3000 sustained reminders), BENCH_RATE / BENCH_SECONDS (50/s for 20 s, latency), BENCH_DIRECT
//   (2000 mails per ceiling loop); each at most what the capture server keeps (5000).
// Prints: ceiling mails/s and p50/p99 per send (1 in flight, and as many as the app's SMTP pool); sustained
// delivered emails/s from the first publish to the last sent; p50/p99 event-to-sent at a fixed open-loop rate.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CaptureClient } from '@lifeline/capture';
import { DaprClient, envInt } from '@lifeline/kit';
import { appDatabases, brokers, loadStackEnv, type Broker } from '@lifeline/platform';
import { Platform } from '@lifeline/e2e/harness';
import { capturedMails, emailCeiling, mailBytes, notificationSettings } from './notification-ceiling.ts';
import { NotificationRecords, type EmailOutcome } from './notification-records.ts';
import { assertPortsFree } from './ports.ts';
import { benchUsers, recipientOf, storePreferences } from './notification-users.ts';
import { reminderPipeline, type PhaseResult } from './reminder-pipeline.ts';
import { ms, printTable, summarize } from './stats.ts';

const APP = 'notification';
/** The capture server keeps the newest 5000 mails; a phase larger than that could not be counted. */
const CAPTURE_KEEPS = 5000;
/** Every run's user ids start with it; runs cannot overlap (they need the app's ports). */
const BENCH_USERS = 'bench-notify';
const WARM_UP_EVENTS = 20;

/** A bounded integer from this process's env, or the default; a bad value stops the run before anything starts. */
function intSetting(name: string, min: number, max: number, fallback: number): number {
  const raw = process.env[name];
  const parsed = envInt(min, max).safeParse(raw ?? String(fallback));
  if (!parsed.success) throw new Error(`${name}=${raw}: expected an integer ${min}-${max}`);
  return parsed.data;
}

const settings = {
  BENCH_EVENTS: intSetting('BENCH_EVENTS', 1, CAPTURE_KEEPS, 3000),
  BENCH_RATE: intSetting('BENCH_RATE', 1, 1000, 50),
  BENCH_SECONDS: intSetting('BENCH_SECONDS', 1, 120, 20),
  BENCH_DIRECT: intSetting('BENCH_DIRECT', 1, CAPTURE_KEEPS, 2000),
};
if (settings.BENCH_RATE * settings.BENCH_SECONDS > CAPTURE_KEEPS) throw new Error(`BENCH_RATE x BENCH_SECONDS must stay at most ${CAPTURE_KEEPS}`);

type Row = Record<string, string | number>;

/** "0", or what became of the mails that were not sent: "3 suppressed:rate-limited, 1 missing". */
function notSent(outcomes: readonly EmailOutcome[], expected: number): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    if (o.status === 'sent') continue;
    const what = o.reason ? `${o.status}:${o.reason}` : o.status;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  if (outcomes.length < expected) counts.set('missing', expected - outcomes.length);
  return counts.size === 0 ? '0' : [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
}

/** Sent mails of a phase: how many, per second from its first publish to its last sent, and each one's event-to-sent latency. */
function sentStats(r: PhaseResult) {
  const sent = r.outcomes.flatMap((o) => (o.sentAtMs === null ? [] : [{ id: o.causeEventId, at: o.sentAtMs }]));
  const lastSentMs = Math.max(...sent.map((o) => o.at));
  return {
    count: sent.length,
    perS: sent.length === 0 ? 0 : Math.round(sent.length / ((lastSentMs - r.startedMs) / 1000)),
    latenciesMs: sent.map((o) => o.at - (r.eventTimes.get(o.id) ?? Number.NaN)),
  };
}

function notSentOf(r: PhaseResult): string {
  return notSent(r.outcomes, r.published) + (r.publishFailed ? `, ${r.publishFailed} publish failed` : '');
}

async function pipeline(platform: Platform, capture: CaptureClient, records: NotificationRecords, prefix: string): Promise<{ rows: Row[]; sustainedPerS: number }> {
  const perUser = notificationSettings(platform).rateLimitMax;
  const latencyCount = settings.BENCH_RATE * settings.BENCH_SECONDS;
  const users = {
    warm: benchUsers(prefix, 'warm', WARM_UP_EVENTS, perUser),
    sustained: benchUsers(prefix, 'sustained', settings.BENCH_EVENTS, perUser),
    paced: benchUsers(prefix, 'paced', latencyCount, perUser),
  };
  const admin = await platform.token('bench-admin', ['admin']);
  const preferencesUrl = (userId: string) => platform.appUrl(APP, `/notification/preferences/${encodeURIComponent(userId)}`);
  await storePreferences(preferencesUrl, admin, [...users.warm, ...users.sustained, ...users.paced]);

  // Published through the notification sidecar (the tasks app would use its own): the publish work lands on
  // the sidecar under test, so the pipeline numbers are if anything low.
  const sidecar = new DaprClient({
    host: '127.0.0.1',
    httpPort: platform.app(APP).daprHttpPort,
    apiToken: platform.tokens.daprApiToken,
    pubsubName: 'pubsub',
    stateStoreName: 'statestore',
  });
  const run = reminderPipeline(sidecar, records);
  await run.warmUp(users.warm, WARM_UP_EVENTS);
  await run.settled();

  await capture.reset();
  const sustained = await run.sustained(users.sustained, settings.BENCH_EVENTS);
  const sustainedSent = sentStats(sustained);
  const sustainedRow: Row = {
    path: `pipeline sustained: ${sustained.published} published at once (publish took ${sustained.publishS.toFixed(1)} s)`,
    mails: sustainedSent.count,
    'mails/s': sustainedSent.perS,
    'latency of': 'first publish -> last sent',
    captured: await capturedMails(capture, sustainedSent.count),
    'mail bytes': await mailBytes(capture, recipientOf(users.sustained, 0)),
    'not sent': notSentOf(sustained),
  };
  // The sustained phase's notification events are out before the paced one starts measuring.
  await run.settled();

  await capture.reset();
  const paced = await run.paced(users.paced, settings.BENCH_RATE, settings.BENCH_SECONDS);
  const pacedSent = sentStats(paced);
  const s = summarize(pacedSent.latenciesMs);
  const pacedRow: Row = {
    path: `pipeline open loop: ${settings.BENCH_RATE}/s for ${settings.BENCH_SECONDS} s`,
    mails: pacedSent.count,
    'mails/s': pacedSent.perS,
    p50: ms(s.p50),
    p99: ms(s.p99),
    'latency of': 'event time -> deliveries.sent_at',
    captured: await capturedMails(capture, pacedSent.count),
    'mail bytes': await mailBytes(capture, recipientOf(users.paced, 0)),
    'not sent': notSentOf(paced),
  };
  return { rows: [sustainedRow, pacedRow], sustainedPerS: sustainedSent.perS };
}

/** Stops the app and its daprd, then removes the run's rows; once, whether the run ends, fails or is interrupted. */
let cleanup: (() => Promise<void>) | undefined;
let interrupted = false;
// Ctrl-C reaches us twice under tsx (the terminal's and tsx's relay): the repeat must not cut the cleanup short.
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  console.error('\ninterrupted: stopping the notification app and its sidecar');
  void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

async function benchBroker(broker: Broker): Promise<Row[]> {
  const platform = await Platform.prepare(broker);
  await assertPortsFree(platform, [APP]);
  const schema = appDatabases().find((d) => d.app === APP)?.schema;
  if (!schema) throw new Error(`no ${APP} database`);
  const db = new pg.Client({ connectionString: platform.adminUrl });
  await db.connect();
  const records = new NotificationRecords(db, schema);
  const capture = new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`);
  const prefix = `${BENCH_USERS}-${randomUUID().slice(0, 8)}`;
  let cleaned: Promise<void> | undefined;
  cleanup = () =>
    (cleaned ??= (async () => {
      await platform.stopAll();
      // Every run's rows, not only this one's: an interrupted run leaves events in the broker that the next
      // start works off (see settled()), and their deliveries belong to the earlier run's users.
      await records.removeUsers(BENCH_USERS).catch((err: unknown) => console.error(`could not remove the bench users' rows (${BENCH_USERS}-*):`, err));
      await db.end();
    })());
  try {
    const rows = (await emailCeiling(platform, capture, prefix, settings.BENCH_DIRECT)).rows; // first, while nothing else runs
    await platform.start(APP);
    const measured = await pipeline(platform, capture, records, prefix);
    rows.push(...measured.rows);
    if (settings.BENCH_RATE > 0.8 * measured.sustainedPerS) {
      notes.push(`${broker}: ${settings.BENCH_RATE}/s is not well below the sustained ${measured.sustainedPerS}/s, so its latency is mostly queueing; lower BENCH_RATE`);
    }
    return rows.map((r) => ({ broker, ...r }));
  } finally {
    await cleanup();
    cleanup = undefined;
  }
}

const selected = (process.argv.slice(2).length ? process.argv.slice(2) : ['redis']) as Broker[];
for (const b of selected) if (!brokers.includes(b)) throw new Error(`unknown broker ${b}`);
const rows: Row[] = [];
const notes: string[] = [];
for (const broker of selected) rows.push(...(await benchBroker(broker)));
printTable(
  `notification throughput: reminder.due -> email at the SMTP capture (${settings.BENCH_EVENTS} sustained; ` +
    `${settings.BENCH_RATE}/s for ${settings.BENCH_SECONDS} s latency; ceiling ${settings.BENCH_DIRECT} mails per loop)`,
  rows,
);
for (const note of notes) console.log(`note: ${note}`);
