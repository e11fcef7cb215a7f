import type { EmergencyKind, EmergencyRecipient, GeoPosition, TierOrder } from '@lifeline/contracts';

export const EMERGENCY_STATUSES = ['open', 'acknowledged', 'resolved', 'cancelled'] as const;
export type EmergencyStatus = (typeof EMERGENCY_STATUSES)[number];

/** Open and acknowledged emergencies are active: a person has at most one, and a new raise joins it. */
export const ACTIVE_STATUSES: readonly EmergencyStatus[] = ['open', 'acknowledged'];

/** One tier of the escalation as it was resolved when the emergency was raised. */
export interface PlanTier {
  recipients: EmergencyRecipient[];
  waitMinutes: number;
  /** Further rounds after the first page of the tier. */
  repeat: number;
  /** nearest_first: the contact nearest the person is paged alone first (round 0), the rest after the head start. */
  order: TierOrder;
  headStartMinutes: number;
}

/** The policy resolved into recipients at raise time: later edits never change a running escalation. */
export interface EscalationPlan {
  policyId: string | null;
  tiers: PlanTier[];
  /** Minutes an acknowledgement may stay unresolved before the escalation starts again; null: never. */
  ackTimeoutMinutes: number | null;
}

export interface Emergency {
  id: string;
  personId: string;
  kind: EmergencyKind;
  status: EmergencyStatus;
  message: string | null;
  location: GeoPosition | null;
  policyId: string | null;
  plan: EscalationPlan;
  raisedBy: string;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  exhaustedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeNote: string | null;
  version: number;
  /** 1, then 2.. each time an acknowledgement timed out and the escalation started again from tier 1. */
  cycle: number;
}

export type Transition = 'acknowledge' | 'resolve' | 'cancel';

const TARGET: Record<Transition, EmergencyStatus> = { acknowledge: 'acknowledged', resolve: 'resolved', cancel: 'cancelled' };

/** Where each transition may start. Asking for the state an emergency is already in is a no-op, not an error. */
const FROM: Record<Transition, readonly EmergencyStatus[]> = {
  acknowledge: ['open'],
  resolve: ['open', 'acknowledged'],
  cancel: ['open', 'acknowledged'],
};

export type TransitionResult = { kind: 'apply'; to: EmergencyStatus } | { kind: 'no-op' } | { kind: 'illegal'; reason: string };

/**
 * The state machine: open -> acknowledged -> resolved, and cancelled (a false alarm) from open or
 * acknowledged. Resolved and cancelled are final. Repeating the transition that led to the current state
 * answers it unchanged, so a client that lost the first answer can retry.
 */
export function transition(from: EmergencyStatus, action: Transition): TransitionResult {
  const to = TARGET[action];
  if (from === to) return { kind: 'no-op' };
  if (FROM[action].includes(from)) return { kind: 'apply', to };
  return { kind: 'illegal', reason: `an emergency that is ${from} cannot be ${to === 'acknowledged' ? 'acknowledged' : to}` };
}

/** The key of a recipient in paged_recipients: users and contacts never collide. */
export function recipientKey(r: EmergencyRecipient): string {
  return r.kind === 'user' ? `user:${r.userId}` : `contact:${r.contactId}`;
}
