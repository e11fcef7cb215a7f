import { envInt, type DaprClient, type Logger, type Metrics } from '@lifeline/kit';
import { registerOutboxMetrics } from './outbox-metrics.ts';
import { outboxBacklog, type TransactionalSqlClient } from './outbox-repository.ts';
import { OutboxRelay, type HousekeepingJob } from './relay.ts';
import { rawSql } from '../prisma.ts';
import { setAsideReporter } from '../set-aside/set-aside-metrics.ts';

/** The relay settings every publishing app reads from its environment, validated at start. */
export const outboxConfigShape = {
  /** Fallback poll of the outbox relay; local commits wake it at once. */
  OUTBOX_POLL_MS: envInt(10, 60_000).default(250),
  OUTBOX_BATCH: envInt(1, 1000).default(100),
  /** How long a woken relay gathers further commits before it claims a batch (0: claim at once). */
  OUTBOX_WAKE_DELAY_MS: envInt(0, 1000).default(20),
  /** Published outbox rows are kept this long for "was it sent, and when?" questions, then deleted. */
  OUTBOX_RETENTION_HOURS: envInt(0, 24 * 365).default(168),
  /** Refusals of one event the sidecar singled out before the row is set aside (see RelayOptions.poisonAttempts). */
  OUTBOX_POISON_ATTEMPTS: envInt(1, 1000).default(5),
};

export interface OutboxConfig {
  OUTBOX_POLL_MS: number;
  OUTBOX_BATCH: number;
  OUTBOX_WAKE_DELAY_MS: number;
  OUTBOX_RETENTION_HOURS: number;
  OUTBOX_POISON_ATTEMPTS?: number;
}

export interface OutboxRelayDeps {
  prisma: TransactionalSqlClient;
  dapr: Pick<DaprClient, 'publishBulk'>;
  logger: Logger;
  metrics: Metrics;
  config: OutboxConfig;
  /** CloudEvent source when an outbox payload does not name one: the app id. */
  source: string;
  housekeeping?: HousekeepingJob[];
}

/** The app's relay with its backlog metrics, as every app.ts builds it; not started. */
export function outboxRelayFromConfig(deps: OutboxRelayDeps): OutboxRelay {
  const { config, logger } = deps;
  // The relay runs a transaction per batch all day long: straight on the pool, not through Prisma's engine.
  const sql = rawSql(deps.prisma);
  return new OutboxRelay({
    prisma: sql,
    dapr: deps.dapr,
    logger,
    metrics: registerOutboxMetrics(deps.metrics, () => outboxBacklog(sql), logger),
    source: deps.source,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH,
    wakeDelayMs: config.OUTBOX_WAKE_DELAY_MS,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
    ...(config.OUTBOX_POISON_ATTEMPTS !== undefined ? { poisonAttempts: config.OUTBOX_POISON_ATTEMPTS } : {}),
    setAside: setAsideReporter(deps.metrics, sql, logger),
    ...(deps.housekeeping ? { housekeeping: deps.housekeeping } : {}),
  });
}
