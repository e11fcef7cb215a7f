import { Counter, Gauge } from 'prom-client';
import type { Logger, Metrics } from '@lifeline/kit';
import type { OutboxBacklog } from './outbox-repository.ts';

export type RelayFailureReason = 'publish' | 'database';

export interface OutboxMetrics {
  relayFailures: Counter<'reason'>;
}

/**
 * The backlog gauges are read from the table at scrape time, so every replica reports the same truth.
 * A scrape while the database is down keeps the last values instead of failing /metrics.
 */
export function registerOutboxMetrics(metrics: Metrics, backlog: () => Promise<OutboxBacklog>, logger: Logger): OutboxMetrics {
  const registers = [metrics.registry];
  const read = async (pick: (b: OutboxBacklog) => number, gauge: Gauge): Promise<void> => {
    try {
      gauge.set(pick(await backlog()));
    } catch (err) {
      logger.debug({ err }, 'outbox backlog not readable for metrics');
    }
  };
  new Gauge({
    name: 'outbox_pending',
    help: 'Events written to the outbox and not yet accepted by the sidecar',
    registers,
    async collect() {
      await read((b) => b.pending, this);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event still waiting in the outbox (0 when none)',
    registers,
    async collect() {
      await read((b) => b.oldestPendingSeconds, this);
    },
  });
  return {
    relayFailures: new Counter({
      name: 'outbox_relay_failures_total',
      help: 'Relay rounds that stopped early: the sidecar refused an event or the database failed',
      labelNames: ['reason'],
      registers,
    }),
  };
}
