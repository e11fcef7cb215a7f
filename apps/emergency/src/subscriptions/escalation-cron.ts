import type { InputBinding } from '@lifeline/kit';
import type { StepRunner } from '../domain/step-runner.ts';

/** The Dapr cron input binding (components/dapr/common/emergency-escalation-cron.yaml); daprd calls POST /<name>. */
export const ESCALATION_CRON_BINDING = 'emergency-escalation-cron';

/**
 * Every tick sends the escalation steps that came due since the last one. Ticks may overlap, be redelivered
 * or reach every replica at once: each step is claimed in the database, so each is done once. A failure
 * answers 500 and the next tick finds the same steps still pending.
 */
export function escalationCron(runner: StepRunner): InputBinding {
  return {
    name: ESCALATION_CRON_BINDING,
    handler: async (_body, ctx) => {
      const outcome = await runner.run();
      if (Object.values(outcome).some((n) => n > 0)) ctx.logger.info(outcome, 'escalation steps done');
    },
  };
}
