import type { EscalationPlan, PlanTier } from './emergency.ts';

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

/**
 * A nearest-first tier of two or more recipients starts with round 0 (its nearest contact alone); any other
 * tier with round 1. With one recipient there is nobody to put first.
 */
export function firstRoundOf(tier: PlanTier): 0 | 1 {
  return tier.order === 'nearest_first' && tier.recipients.length > 1 ? 0 : 1;
}

/** The first step of a fresh escalation: tier 1 at once, or straight to exhaustion when the plan pages nobody. */
export function firstStep(plan: EscalationPlan): StepRef {
  const tier = plan.tiers[0];
  return tier === undefined ? { tier: 1, round: 1, kind: 'exhaust' } : { tier: 1, round: firstRoundOf(tier), kind: 'page' };
}

/**
 * What follows a page of (tier, round): after a nearest-first round 0, round 1 (the rest of the tier) once
 * the head start is over; otherwise the tier's next round after its wait, then the next tier (at its first
 * round), and after the last round of the last tier the exhaustion, one more wait later. Nothing follows an
 * exhaustion.
 */
export function nextStep(plan: EscalationPlan, done: StepRef): NextStep | null {
  if (done.kind === 'exhaust') return null;
  // A reopen step pages tier 1, round 1 (of its cycle): what follows is what follows that page.
  const tier = plan.tiers[done.tier - 1];
  if (tier === undefined) return null;
  if (done.round === 0) return { tier: done.tier, round: 1, kind: 'page', afterMinutes: tier.headStartMinutes };
  const after = { afterMinutes: tier.waitMinutes };
  if (done.round <= tier.repeat) return { tier: done.tier, round: done.round + 1, kind: 'page', ...after };
  const following = plan.tiers[done.tier];
  if (following !== undefined) return { tier: done.tier + 1, round: firstRoundOf(following), kind: 'page', ...after };
  return { tier: done.tier + 1, round: 1, kind: 'exhaust', ...after };
}
