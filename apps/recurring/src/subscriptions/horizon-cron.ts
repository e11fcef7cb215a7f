import type { InputBinding } from '@lifeline/kit';
import type { RecurringDeps } from '../domain/recurring-deps.ts';
import { refillHorizons, type RefillOptions } from '../domain/refill-horizons.ts';

/** The Dapr cron input binding (components/dapr/common/recurring-horizon-cron.yaml); daprd calls POST /<name>. */
export const HORIZON_CRON_BINDING = 'recurring-horizon-cron';

/**
 * Refills every active series' horizon (completions top series up at once; this catches the rest). Ticks
 * may overlap or fire on every replica: series are claimed, and generation is idempotent. A tick in which
 * some series failed answers 500 after doing all the others, so the failure shows in daprd's log.
 */
export function horizonCron(deps: RecurringDeps, opts: Omit<RefillOptions, 'logger'>): InputBinding {
  return {
    name: HORIZON_CRON_BINDING,
    handler: async (_body, ctx) => {
      const result = await refillHorizons(deps, { ...opts, logger: ctx.logger });
      ctx.logger.info(result, 'horizon refill tick done');
      if (result.failed > 0) throw new Error(`horizon refill: ${result.failed} series failed (see the warnings above)`);
    },
  };
}
