-- Nearest-first tiers: the order a tier's round 0 chose (distances, or the list when location did not
-- answer) is recorded with that step, and the round 1 it schedules pages exactly the rest of the tier.

-- On a done nearest-first round 0: {basis, reason?, order: [recipient keys], distances: {key: metres|null}}.
ALTER TABLE "escalation_steps" ADD COLUMN "choice" JSONB;
-- Who this step pages when not the whole tier (round 1 after a nearest-first lead); null: the whole tier.
ALTER TABLE "escalation_steps" ADD COLUMN "recipients" JSONB;

-- Round 0 is a nearest-first tier's lead page (its nearest contact alone); only page steps have one.
ALTER TABLE "escalation_steps" DROP CONSTRAINT "escalation_steps_tier_check";
ALTER TABLE "escalation_steps" ADD CONSTRAINT "escalation_steps_tier_check" CHECK ("tier" >= 1 AND ("round" >= 1 OR ("round" = 0 AND "kind" = 'page')));
