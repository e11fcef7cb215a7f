import { Counter, Gauge } from 'prom-client';
import type { Logger, Metrics } from '@lifeline/kit';
import { countSetAside } from './set-aside-repository.ts';
import type { SqlClient } from '../outbox/outbox-repository.ts';

export interface SetAside {
  /** Log line and counter for an item just recorded; the record itself is written in the caller's transaction. */
  report(work: string, itemKey: string, reason: string, logger: Logger): void;
}

const registered = new WeakMap<Metrics, SetAside>();

/**
 * set_aside_total counts what this replica set aside; set_aside_items reads the table at scrape time, so every
 * replica reports what operators still have to look at. One registration per metrics registry.
 */
export function setAsideReporter(metrics: Metrics, db: SqlClient, logger: Logger): SetAside {
  const existing = registered.get(metrics);
  if (existing) return existing;
  const registers = [metrics.registry];
  const total = new Counter({
    name: 'set_aside_total',
    help: 'Items background work set aside because they could not be processed (see the set_aside table)',
    labelNames: ['work'],
    registers,
  });
  new Gauge({
    name: 'set_aside_items',
    help: 'Items in the set_aside table, by work, waiting for an operator',
    labelNames: ['work'],
    registers,
    async collect() {
      try {
        const counts = await countSetAside(db);
        this.reset();
        for (const c of counts) this.set({ work: c.work }, c.items);
      } catch (err) {
        logger.debug({ err }, 'set_aside not readable for metrics');
      }
    },
  });
  const reporter: SetAside = {
    report(work, itemKey, reason, log) {
      total.inc({ work });
      log.error({ work, itemKey, reason }, 'item set aside: it could not be processed and no longer blocks the others (see set_aside)');
    },
  };
  registered.set(metrics, reporter);
  return reporter;
}
