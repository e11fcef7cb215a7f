import { Counter } from 'prom-client';
import type { Metrics } from '@lifeline/kit';

export interface RecurringMetrics {
  instancesCreated: Counter;
  /** outcome: cancelled, released (the user had changed it), gone (already deleted). */
  instancesReplaced: Counter<'outcome'>;
  /** outcome: ok, failed. */
  horizonRefills: Counter<'outcome'>;
}

export function registerRecurringMetrics(metrics: Metrics): RecurringMetrics {
  const registers = [metrics.registry];
  return {
    instancesCreated: new Counter({ name: 'recurring_instances_created_total', help: 'Instance tasks created in the tasks app and recorded', registers }),
    instancesReplaced: new Counter({
      name: 'recurring_instances_replaced_total',
      help: 'Superseded instances settled after a series change or end, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    horizonRefills: new Counter({
      name: 'recurring_horizon_refills_total',
      help: 'Series the horizon cron generated for, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
