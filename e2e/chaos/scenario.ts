import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CaptureClient } from '@lifeline/capture/client';
import { topicsConsumedBy } from '@lifeline/contracts';
import { loadStackEnv, type Broker } from '@lifeline/platform';
import { Platform, forgetConsumer } from '../harness/index.ts';
import { complete, mailOf, readEffects, tally, type Effects, type Tally } from './effects.ts';
import { injectFault, type FaultName } from './faults.ts';
import { createTask, openLoop } from './load.ts';

/** The suite's own database on the stack's server: other suites' and benchmarks' rows never meet its counts. */
const DATABASE = 'lifeline_chaos';
const APPS = ['tasks', 'audit', 'notification'] as const;

export interface Chaos {
  platform: Platform;
  db: pg.Client;
  capture: CaptureClient;
}

/** tasks, audit and notification with their daprd on `broker`, the consumers starting from an empty topic. */
export async function bringUp(broker: Broker): Promise<Chaos> {
  const platform = await Platform.prepare(broker, DATABASE);
  // Earlier runs' events must not reach fresh consumers: they would mail old users and skew the counts.
  await forgetConsumer(broker, 'audit', topicsConsumedBy('audit'));
  await forgetConsumer(broker, 'notification', topicsConsumedBy('notification'));
  const db = new pg.Client({ connectionString: platform.adminUrl });
  await db.connect();
  for (const app of APPS) await platform.start(app);
  return { platform, db, capture: new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`) };
}

export async function tearDown(chaos: Chaos | undefined): Promise<void> {
  await chaos?.db.end();
  await chaos?.platform.stopAll();
}

export interface ScenarioOptions {
  /** Task creates per second, each with a reminder due 2 s later. */
  rate: number;
  seconds: number;
  /** When, into the load, the fault strikes; and how long the process stays dead. */
  faultAtS: number;
  downS: number;
  /** After the restart, counting goes on at least this long: Redis redelivers unacknowledged messages after its processingTimeout (30 s). */
  quietS: number;
  /** Gives up waiting for the missing effects this long after the load ended (they are then lost). */
  settleS: number;
}

export const defaultOptions: ScenarioOptions = { rate: 20, seconds: 30, faultAtS: 10, downS: 5, quietS: 40, settleS: 120 };

export interface ScenarioResult {
  fault: FaultName;
  broker: Broker;
  /** Requests sent, 201s, and tasks committed (a kill can commit a task whose 201 never arrived). */
  requests: number;
  created: number;
  committed: number;
  audit: Tally;
  mail: Tally;
  deliveries: Tally;
  /** Outbox rows committed but not yet published when the process died (tasks-app only). */
  outboxPendingAtKill?: number;
  /** From the kill to the first audit row of a task created after it: the pipeline works again. */
  recoverS?: number;
  /** From the kill to the audit row of the last task created before it: the backlog is through. */
  backlogS?: number;
  effects: Effects;
}

async function untilOutboxPending(db: pg.Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await db.query('SELECT 1 FROM tasks.outbox WHERE published_at IS NULL LIMIT 1');
    if (r.rowCount) return;
  }
}

async function setPreferences(chaos: Chaos, owners: string[], tokens: Map<string, string>): Promise<void> {
  for (let i = 0; i < owners.length; i += 20) {
    await Promise.all(owners.slice(i, i + 20).map(async (owner) => {
      const res = await fetch(chaos.platform.appUrl('notification', `/notification/preferences/${owner}`), {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.get(owner)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: mailOf(owner), channels: { email: true, websocket: false, push: false } }),
      });
      if (res.status !== 200) throw new Error(`preferences of ${owner}: ${res.status} ${await res.text()}`);
    }));
  }
}

/**
 * One fault under load: every create is a different person (notification's per-person rate limit would
 * otherwise suppress mails), with an email address and a reminder 2 s out, so each committed task must
 * make exactly one task.created audit row, one sent email delivery and one captured mail.
 */
export async function runScenario(chaos: Chaos, fault: FaultName, opts: ScenarioOptions, log: (line: string) => void = () => {}): Promise<ScenarioResult> {
  const { platform, db, capture } = chaos;
  const prefix = `chaos-${randomUUID().slice(0, 8)}-`;
  const total = Math.round(opts.rate * opts.seconds);
  const owners = Array.from({ length: total }, (_, i) => `${prefix}${i}`);
  const tokens = new Map(await Promise.all(owners.map(async (o) => [o, await platform.token(o, ['user'])] as const)));
  await setPreferences(chaos, owners, tokens);
  const since = new Date(Date.now() - 1000);
  log(`${fault} on ${platform.broker}: ${total} creates at ${opts.rate}/s, fault at ${opts.faultAtS}s for ${opts.downS}s`);

  const url = platform.appUrl('tasks', '/tasks');
  const load = openLoop({ rate: opts.rate, seconds: opts.seconds, fire: (i) => createTask(url, owners[i] as string, tokens.get(owners[i] as string) as string) });
  await sleep(opts.faultAtS * 1000);
  // The tasks kill is meant for the window between a commit and the relay's publish: strike when the outbox
  // has an unpublished row (a create's, or a reminder tick's batch), and say after the kill how many it had.
  if (fault === 'tasks-app') await untilOutboxPending(db, 5000);
  let outboxPendingAtKill: number | undefined;
  const { killedAt, restartedAt } = await injectFault(platform, fault, opts.downS * 1000, async () => {
    if (fault !== 'tasks-app') return;
    const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM tasks.outbox WHERE published_at IS NULL');
    outboxPendingAtKill = Number(r.rows[0]?.n);
  });
  log(`  killed, restarted after ${((restartedAt - killedAt) / 1000).toFixed(1)} s`);
  const creates = await load;
  const loadEnded = Date.now();

  let effects = await readEffects(db, capture, prefix, since);
  while (Date.now() < loadEnded + opts.settleS * 1000) {
    if (complete(effects) && Date.now() >= restartedAt + opts.quietS * 1000) break;
    await sleep(2000);
    effects = await readEffects(db, capture, prefix, since);
  }

  const committedIds = [...effects.committed.keys()];
  const committedOwners = [...effects.committed.values()];
  const auditRows = new Map([...effects.audit].map(([id, a]) => [id, a.rows]));
  const deliveryRows = new Map([...effects.deliveries].map(([o, d]) => [o, d.rows]));
  const after = creates.filter((c) => c.taskId && c.answeredAt > killedAt).map((c) => effects.audit.get(c.taskId as string)?.firstAt);
  const before = creates.filter((c) => c.taskId && c.answeredAt <= killedAt).map((c) => effects.audit.get(c.taskId as string)?.firstAt);
  const firstAfter = Math.min(...after.filter((t): t is number => t !== undefined));
  const lastBefore = Math.max(...before.filter((t): t is number => t !== undefined));
  return {
    fault,
    broker: platform.broker,
    requests: creates.length,
    created: creates.filter((c) => c.status === 201).length,
    committed: committedIds.length,
    audit: tally(committedIds, auditRows),
    mail: tally(committedOwners, effects.mails),
    deliveries: tally(committedOwners, deliveryRows),
    ...(outboxPendingAtKill !== undefined ? { outboxPendingAtKill } : {}),
    ...(Number.isFinite(firstAfter) ? { recoverS: (firstAfter - killedAt) / 1000 } : {}),
    ...(Number.isFinite(lastBefore) ? { backlogS: Math.max(0, (lastBefore - killedAt) / 1000) } : {}),
    effects,
  };
}
