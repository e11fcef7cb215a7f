import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAckLinks } from '../src/domain/ack-link.ts';
import { transition, type EmergencyStatus, type Transition } from '../src/domain/emergency.ts';
import { escalationEventId } from '../src/domain/emergency-event.ts';
import { firstStep, nextStep } from '../src/domain/escalation-plan.ts';
import { checkPolicyContacts, defaultPolicy, resolvePlan } from '../src/domain/policy.ts';
import type { Contact } from '../src/domain/contact.ts';
import { loadEmergencyConfig } from '../src/config.ts';

const contact = (id: string, kind: 'user' | 'contact' = 'contact'): Contact => ({
  id,
  personId: 'ann',
  position: 1,
  kind,
  userId: kind === 'user' ? `user-${id.slice(0, 4)}` : null,
  name: `Name ${id.slice(0, 4)}`,
  email: kind === 'contact' ? `${id.slice(0, 4)}@example.test` : null,
  phone: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('the emergency state machine', () => {
  const cases: Array<[EmergencyStatus, Transition, string]> = [
    ['open', 'acknowledge', 'apply:acknowledged'],
    ['acknowledged', 'acknowledge', 'no-op'],
    ['resolved', 'acknowledge', 'illegal'],
    ['cancelled', 'acknowledge', 'illegal'],
    ['open', 'resolve', 'apply:resolved'],
    ['acknowledged', 'resolve', 'apply:resolved'],
    ['resolved', 'resolve', 'no-op'],
    ['cancelled', 'resolve', 'illegal'],
    ['open', 'cancel', 'apply:cancelled'],
    ['acknowledged', 'cancel', 'apply:cancelled'],
    ['cancelled', 'cancel', 'no-op'],
    ['resolved', 'cancel', 'illegal'],
  ];
  for (const [from, action, expected] of cases) {
    it(`when ${action} meets an ${from} emergency, then ${expected}`, () => {
      const r = transition(from, action);
      assert.equal(r.kind === 'apply' ? `apply:${r.to}` : r.kind, expected);
    });
  }
});

describe('escalation steps', () => {
  const plan = {
    policyId: null,
    tiers: [
      { recipients: [{ kind: 'user' as const, userId: 'bob' }], waitMinutes: 2, repeat: 1 },
      { recipients: [{ kind: 'user' as const, userId: 'cid' }], waitMinutes: 3, repeat: 0 },
    ],
    ackTimeoutMinutes: null,
  };
  it('when a plan has two tiers, then tier 1 twice, tier 2 once and then the exhaustion, each after its tier\'s wait', () => {
    const seen: string[] = [];
    let step: ReturnType<typeof nextStep> | ReturnType<typeof firstStep> | null = firstStep(plan);
    while (step !== null) {
      seen.push(`${step.kind}:${step.tier}/${step.round}${'afterMinutes' in step ? `+${step.afterMinutes}` : ''}`);
      step = nextStep(plan, step);
    }
    assert.deepEqual(seen, ['page:1/1', 'page:1/2+2', 'page:2/1+2', 'exhaust:3/1+3']);
  });
  it('when a plan has no tiers, then the first step is the exhaustion', () => {
    assert.deepEqual(firstStep({ policyId: null, tiers: [], ackTimeoutMinutes: null }), { tier: 1, round: 1, kind: 'exhaust' });
  });
  it('when the same (emergency, tier, round) is named twice, then the event id is the same; another round gives another id', () => {
    const e = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
    assert.equal(escalationEventId(e, 1, 1), escalationEventId(e, 1, 1));
    assert.notEqual(escalationEventId(e, 1, 1), escalationEventId(e, 1, 2));
    assert.notEqual(escalationEventId(e, 1, 2), escalationEventId(e, 2, 1));
  });
});

describe('policies', () => {
  it('when no policy is stored, then every contact is in one tier', () => {
    assert.deepEqual(defaultPolicy('ann', [contact(A), contact(B, 'user')]).tiers, [{ contactIds: [A, B], waitMinutes: 5, repeat: 1 }]);
  });
  it('when a policy names a contact the person does not have, then 422 naming it', () => {
    assert.throws(() => checkPolicyContacts([{ contactIds: [A, B], waitMinutes: 1, repeat: 0 }], [contact(A)]), (err: Error & { status?: number }) => err.status === 422 && err.message.includes(B));
  });
  it('when a contact was deleted since the policy was stored, then the plan leaves it out and drops a tier left empty', () => {
    const plan = resolvePlan({ personId: 'ann', id: null, isDefault: false, ackTimeoutMinutes: null, version: 1, updatedAt: null, tiers: [{ contactIds: [B], waitMinutes: 1, repeat: 0 }, { contactIds: [A, B], waitMinutes: 2, repeat: 0 }] }, [contact(A)]);
    assert.equal(plan.tiers.length, 1);
    assert.deepEqual(plan.tiers[0]?.recipients, [{ kind: 'contact', contactId: A, name: `Name ${A.slice(0, 4)}`, email: `${A.slice(0, 4)}@example.test` }]);
  });
});

describe('acknowledgement links', () => {
  const E = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const links = createAckLinks({ secret: 'x'.repeat(32), baseUrl: 'https://lifeline.example/api/v1/', ttlHours: 1, now: () => clock });
  it('when a link is signed, then it verifies for its emergency and names its contact; the URL points at the respond page', () => {
    const url = new URL(links.urlFor(E, A));
    assert.equal(url.pathname, `/api/v1/emergencies/${E}/respond`);
    const check = links.verify(url.searchParams.get('token') ?? '', E);
    assert.ok(check.ok && check.claims.contactId === A);
  });
  it('when a link is tampered with, signed with another secret, used for another emergency or expired, then it is refused', () => {
    const token = links.sign(E, A);
    const other = createAckLinks({ secret: 'y'.repeat(32), baseUrl: 'https://x', ttlHours: 1 });
    assert.deepEqual(links.verify(`${token}x`, E), { ok: false, reason: 'invalid' });
    assert.deepEqual(links.verify(other.sign(E, A), E), { ok: false, reason: 'invalid' });
    assert.deepEqual(links.verify(token, B), { ok: false, reason: 'other-emergency' });
    clock += 3600_000 + 1;
    assert.deepEqual(links.verify(token, E), { ok: false, reason: 'expired' });
  });
});

describe('configuration', () => {
  const base = { APP_ID: 'emergency', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://u:p@127.0.0.1/db' };
  it('when nothing is set, then escalation counts in minutes', () => {
    assert.equal(loadEmergencyConfig(base).ESCALATION_TIME_UNIT, 'minutes');
  });
  it('when a value is bad, then loading names it', () => {
    assert.throws(() => loadEmergencyConfig({ ...base, ESCALATION_TIME_UNIT: 'hours', ACK_LINK_BASE_URL: 'ftp://x' }), /ESCALATION_TIME_UNIT[\s\S]*ACK_LINK_BASE_URL|ACK_LINK_BASE_URL[\s\S]*ESCALATION_TIME_UNIT/);
  });
});
