import type { Contact } from '../domain/contact.ts';
import type { Emergency } from '../domain/emergency.ts';
import type { Policy } from '../domain/policy.ts';
import type { EmergencyDetail } from '../domain/read-emergencies.ts';

/** What clients see of an emergency: its state, not the recipients snapshot it escalates with. */
export function emergencyView(e: Emergency) {
  return {
    id: e.id,
    personId: e.personId,
    type: e.kind,
    status: e.status,
    message: e.message,
    location: e.location,
    raisedBy: e.raisedBy,
    policyId: e.policyId,
    tiers: e.plan.tiers.length,
    exhausted: e.exhaustedAt !== null,
    exhaustedAt: e.exhaustedAt,
    acknowledgedAt: e.acknowledgedAt,
    acknowledgedBy: e.acknowledgedBy,
    closedAt: e.closedAt,
    closedBy: e.closedBy,
    closeNote: e.closeNote,
    cycle: e.cycle,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    version: e.version,
  };
}

export function emergencyDetailView(d: EmergencyDetail) {
  return { ...emergencyView(d.emergency), nextStepAt: d.nextStepAt, timeline: d.timeline };
}

export function contactView(c: Contact) {
  return { id: c.id, personId: c.personId, position: c.position, kind: c.kind, userId: c.userId, name: c.name, email: c.email, phone: c.phone, createdAt: c.createdAt, updatedAt: c.updatedAt };
}

export function policyView(p: Policy) {
  return { personId: p.personId, id: p.id, isDefault: p.isDefault, tiers: p.tiers, ackTimeoutMinutes: p.ackTimeoutMinutes, version: p.version, updatedAt: p.updatedAt };
}
