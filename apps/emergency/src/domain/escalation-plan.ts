import type { EscalationPlan } from './emergency.ts';

/** reopen: an acknowledgement timed out; the step re-opens the emergency and pages tier 1 of the next cycle. */
export type StepKind = 'page' | 'exhaust' | 'reopen';

export interface StepRef {
  tier: number;
  round: number;
  kind: StepKind;
}

export interface NextStep extends StepRef {
  /** From the step just done: the wait of the tier it paged. */
  afterMinutes: number;
}

/** The first step of a fresh escalation: tier 1 at once, or straight to exhaustion when the plan pages nobody. */
export function firstStep(plan: EscalationPlan): StepRef {
  return plan.tiers.length === 0 ? { tier: 1, round: 1, kind: 'exhaust' } : { tier: 1, round: 1, kind: 'page' };
}

/**
 * What follows a page of (tier, round): the tier's next round after its wait, then the next tier, and after
 * the last round of the last tier the exhaustion, one more wait later. Nothing follows an exhaustion.
 */
export function nextStep(plan: EscalationPlan, done: StepRef): NextStep | null {
  if (done.kind === 'exhaust') return null;
  // A reopen step pages tier 1, round 1 (of its cycle): what follows is what follows that page.
  const tier = plan.tiers[done.tier - 1];
  if (tier === undefined) return null;
  const after = { afterMinutes: tier.waitMinutes };
  if (done.round <= tier.repeat) return { tier: done.tier, round: done.round + 1, kind: 'page', ...after };
  if (done.tier < plan.tiers.length) return { tier: done.tier + 1, round: 1, kind: 'page', ...after };
  return { tier: done.tier + 1, round: 1, kind: 'exhaust', ...after };
}
